package io.kubecrawl.operator.crawljob;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.events.EventRecorder;
import io.kubecrawl.operator.status.StatusRecorder;
import org.jboss.logging.Logger;

/**
 * Runs a CrawlJob's workers. Each reconcile observes the Spider, the worker Job and the token Secret from the
 * informer caches, lets {@link CrawlJobDecider} decide, then acts: children first, status last, so that a crash in
 * between leaves children that the next reconcile finds (they carry the job's generation) rather than a status that
 * promises children that do not exist.
 */
@ControllerConfiguration(name = "crawljob")
public class CrawlJobReconciler implements Reconciler<CrawlJob> {

    static final String BY_SPIDER = "crawljobs-by-spider";
    private static final Logger LOG = Logger.getLogger(CrawlJobReconciler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CrawlJobDecider decider;
    private final StatusRecorder statusRecorder;
    private final EventRecorder eventRecorder;
    private final Clock clock;

    public CrawlJobReconciler(CrawlJobDecider decider, StatusRecorder statusRecorder, EventRecorder eventRecorder,
            Clock clock) {
        this.decider = decider;
        this.statusRecorder = statusRecorder;
        this.eventRecorder = eventRecorder;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, CrawlJob>> prepareEventSources(EventSourceContext<CrawlJob> context) {
        context.getPrimaryCache().addIndexer(BY_SPIDER, crawlJob -> List.of(
                indexKey(crawlJob.getMetadata().getNamespace(), crawlJob.getSpec().getSpiderRef().getName())));
        var spiders = InformerEventSourceConfiguration.from(Spider.class, CrawlJob.class)
                .withSecondaryToPrimaryMapper((Spider spider) -> context.getPrimaryCache()
                        .byIndex(BY_SPIDER, indexKey(spider.getMetadata().getNamespace(),
                                spider.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((CrawlJob crawlJob) -> Set.of(new ResourceID(
                        crawlJob.getSpec().getSpiderRef().getName(), crawlJob.getMetadata().getNamespace())))
                .build();
        var jobs = InformerEventSourceConfiguration.from(Job.class, CrawlJob.class)
                .withLabelSelector(WorkerLabels.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(CrawlJob.class))
                .build();
        var secrets = InformerEventSourceConfiguration.from(Secret.class, CrawlJob.class)
                .withLabelSelector(WorkerLabels.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(CrawlJob.class))
                .build();
        return List.of(new InformerEventSource<>(spiders, context), new InformerEventSource<>(jobs, context),
                new InformerEventSource<>(secrets, context));
    }

    @Override
    public UpdateControl<CrawlJob> reconcile(CrawlJob crawlJob, Context<CrawlJob> context) {
        CrawlJobObservation observed = new CrawlJobObservation(
                context.getSecondaryResource(Spider.class),
                context.getSecondaryResource(Job.class),
                context.getSecondaryResource(Secret.class));
        CrawlJobPlan plan = decider.decide(crawlJob, observed, clock.instant());

        KubernetesClient client = context.getClient();
        if (plan.createWorkerToken()) {
            createIfAbsent(client, WorkerTokenSecretFactory.build(crawlJob, newToken()));
        }
        plan.createWorkerJob().ifPresent(job -> createIfAbsent(client, job));
        plan.changeWorkerJob().ifPresent(change -> observed.workerJob().ifPresent(job -> {
            LOG.infof("Worker Job %s/%s: parallelism %d, suspend %s", job.getMetadata().getNamespace(),
                    job.getMetadata().getName(), change.parallelism(), change.suspend());
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(List.of(
                            Map.of("op", "add", "path", "/spec/parallelism", "value", change.parallelism()),
                            Map.of("op", "add", "path", "/spec/suspend", "value", change.suspend()))));
        }));
        if (statusRecorder.record(crawlJob, plan.status())) {
            plan.events().forEach(event -> eventRecorder.record(crawlJob, event));
        }
        return UpdateControl.noUpdate();
    }

    /** The informer may not have seen a child we created a moment ago; finding it already there is success. */
    private static void createIfAbsent(KubernetesClient client, HasMetadata child) {
        try {
            client.resource(child).create();
            LOG.infof("Created %s %s/%s", child.getKind(), child.getMetadata().getNamespace(),
                    child.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String indexKey(String namespace, String name) {
        return namespace + "/" + name;
    }
}
