package io.kubecrawl.operator.events;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

/** Emits Kubernetes Events on Kubecrawl resources, so that {@code kubectl describe} tells the story. */
@ApplicationScoped
public class EventRecorder {

    public static final String COMPONENT = "kubecrawl-operator";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(HasMetadata about, ClusterEvent event) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var metadata = about.getMetadata();
        try {
            client.v1().events().inNamespace(metadata.getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(metadata.getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(metadata.getNamespace())
                    .endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(about.getApiVersion())
                    .withKind(about.getKind())
                    .withName(metadata.getName())
                    .withNamespace(metadata.getNamespace())
                    .withUid(metadata.getUid())
                    .withResourceVersion(metadata.getResourceVersion())
                    .endInvolvedObject()
                    .withType(event.type().name())
                    .withReason(event.reason())
                    .withMessage(event.message())
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy to the reader; failing the reconcile over one would be worse than losing it.
            LOG.warnf("Could not record event %s on %s %s/%s: %s", event.reason(), about.getKind(),
                    metadata.getNamespace(), metadata.getName(), e.getMessage());
        }
    }
}
