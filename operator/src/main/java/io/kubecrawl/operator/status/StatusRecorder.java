package io.kubecrawl.operator.status;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.CustomResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.operator.cluster.StatusSubresource;
import org.jboss.logging.Logger;

/**
 * The one place that writes the status of Kubecrawl resources.
 *
 * <p>A status equal to the one the resource carries, or to the one this recorder wrote last, is not written: the
 * API server's write load must not grow with reconciles that change nothing, and the informer may still hand out
 * the resource as it was before our last write. Writes are JSON patches of the status subresource, which every API
 * server implements (unlike server-side apply).
 */
@ApplicationScoped
public class StatusRecorder {

    private static final Logger LOG = Logger.getLogger(StatusRecorder.class);
    private static final int REMEMBERED_RESOURCES = 10_000;
    /**
     * Status writes by kind and outcome (written, unchanged, gone: deleted before the write): the API server load
     * the operator causes.
     */
    public static final String METRIC = "kubecrawl.status.updates";

    private final KubernetesClient client;
    private final Map<String, String> lastWritten = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > REMEMBERED_RESOURCES;
                }
            });

    private final MeterRegistry meters;
    private final Consumer<StatusRecorded> recorded;

    /** A recorder that tells nobody of its records. */
    public StatusRecorder(KubernetesClient client, MeterRegistry meters) {
        this(client, meters, recorded -> { });
    }

    @Inject
    public StatusRecorder(KubernetesClient client, MeterRegistry meters, Event<StatusRecorded> recorded) {
        this(client, meters, recorded::fire);
    }

    private StatusRecorder(KubernetesClient client, MeterRegistry meters, Consumer<StatusRecorded> recorded) {
        this.client = client;
        this.meters = meters;
        this.recorded = recorded;
    }

    /**
     * Writes {@code status} to {@code resource} unless nothing changed.
     *
     * @return whether a write was sent
     */
    public <S, R extends CustomResource<?, S>> boolean record(R resource, S status) {
        // Compared as JSON text: a status class writes its fields in one order and holds no maps, so equal statuses
        // are equal text; writing text costs a fraction of building two trees to compare, which took a fifth of
        // every reconcile at a restart.
        String next = client.getKubernetesSerialization().asJson(status);
        String current = resource.getStatus() == null ? null
                : client.getKubernetesSerialization().asJson(resource.getStatus());
        String key = resource.getMetadata().getUid();
        if (next.equals(current) || next.equals(lastWritten.get(key))) {
            count(resource, "unchanged");
            recorded.accept(new StatusRecorded(resource, status, "unchanged"));
            return false;
        }
        String patch = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + next + "}]";
        if (!StatusSubresource.jsonPatch(client, resource, patch)) {
            // Deleted since the informer handed it out: its status has no reader left, and its deletion event
            // follows.
            lastWritten.remove(key);
            count(resource, "gone");
            recorded.accept(new StatusRecorded(resource, status, "gone"));
            LOG.debugf("Status of %s %s/%s not written: it was deleted", resource.getKind(),
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName());
            return false;
        }
        lastWritten.put(key, next);
        count(resource, "written");
        recorded.accept(new StatusRecorded(resource, status, "written"));
        LOG.debugf("Status of %s %s/%s written", resource.getKind(), resource.getMetadata().getNamespace(),
                resource.getMetadata().getName());
        return true;
    }

    private void count(CustomResource<?, ?> resource, String outcome) {
        meters.counter(METRIC, "kind", resource.getKind(), "outcome", outcome).increment();
    }
}
