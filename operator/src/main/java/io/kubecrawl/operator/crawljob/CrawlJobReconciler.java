package io.kubecrawl.operator.crawljob;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
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
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.cluster.CrawlJobCache;
import io.kubecrawl.operator.cluster.ResourcePages;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.DrainedFrontiers;
import io.kubecrawl.operator.metrics.ReconcileDurations;
import io.kubecrawl.operator.recovery.ReconcilesAfterRecovery;

/**
 * Runs a CrawlJob's workers. Each reconcile observes ({@link CrawlJobObserver}, which only reads), decides
 * ({@link CrawlJobDecider}, which returns every side effect as a step of a {@link CrawlJobPlan}) and acts
 * ({@link CrawlJobPlanExecutor}, which runs those steps in order): this class only orchestrates the three.
 */
@ControllerConfiguration(name = "crawljob", informer = @Informer(informerListLimit = ResourcePages.PAGE_SIZE))
public class CrawlJobReconciler implements Reconciler<CrawlJob> {

    static final String BY_SPIDER = "crawljobs-by-spider";

    private final CrawlJobObserver observer;
    private final CrawlJobDecider decider;
    private final CrawlJobPlanExecutor executor;
    private final OperatorSettings settings;
    private final DrainedFrontiers drainedFrontiers;
    private final Clock clock;
    private final ReconcileDurations durations;
    private final ReconcilesAfterRecovery afterRecovery;
    private final CrawlJobCache crawlJobs;

    public CrawlJobReconciler(CrawlJobObserver observer, CrawlJobDecider decider, CrawlJobPlanExecutor executor,
            OperatorSettings settings, DrainedFrontiers drainedFrontiers, Clock clock, ReconcileDurations durations,
            ReconcilesAfterRecovery afterRecovery, CrawlJobCache crawlJobs) {
        this.crawlJobs = crawlJobs;
        this.durations = durations;
        this.afterRecovery = afterRecovery;
        this.observer = observer;
        this.decider = decider;
        this.executor = executor;
        this.settings = settings;
        this.drainedFrontiers = drainedFrontiers;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, CrawlJob>> prepareEventSources(EventSourceContext<CrawlJob> context) {
        crawlJobs.use(context.getPrimaryCache());
        context.getPrimaryCache().addIndexer(BY_SPIDER, crawlJob -> List.of(
                indexKey(crawlJob.getMetadata().getNamespace(), crawlJob.getSpec().getSpiderRef().getName())));
        var spiders = InformerEventSourceConfiguration.from(Spider.class, CrawlJob.class)
                .withSecondaryToPrimaryMapper((Spider spider) -> context.getPrimaryCache()
                        .byIndex(BY_SPIDER, indexKey(spider.getMetadata().getNamespace(),
                                spider.getMetadata().getName()))
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((CrawlJob crawlJob) -> Set.of(new ResourceID(
                        crawlJob.getSpec().getSpiderRef().getName(), crawlJob.getMetadata().getNamespace())))
                .withInformerListLimit(ResourcePages.PAGE_SIZE)
                .withOnAddFilter(afterRecovery.addsOnceOpen())
                .build();
        var jobs = InformerEventSourceConfiguration.from(Job.class, CrawlJob.class)
                .withLabelSelector(WorkerLabels.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(CrawlJob.class))
                .withInformerListLimit(ResourcePages.PAGE_SIZE)
                .withOnAddFilter(afterRecovery.addsOnceOpen())
                .build();
        var secrets = InformerEventSourceConfiguration.from(Secret.class, CrawlJob.class)
                .withLabelSelector(WorkerLabels.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(CrawlJob.class))
                .withInformerListLimit(ResourcePages.PAGE_SIZE)
                .withOnAddFilter(afterRecovery.addsOnceOpen())
                .build();
        return List.of(new InformerEventSource<>(spiders, context), new InformerEventSource<>(jobs, context),
                new InformerEventSource<>(secrets, context), drainedFrontiers.eventSource(),
                afterRecovery.eventSource());
    }

    @Override
    public UpdateControl<CrawlJob> reconcile(CrawlJob crawlJob, Context<CrawlJob> context) {
        return durations.time("crawljob", () -> reconcileTimed(crawlJob, context));
    }

    private UpdateControl<CrawlJob> reconcileTimed(CrawlJob crawlJob, Context<CrawlJob> context) {
        if (isFinished(crawlJob) && afterRecovery.deferUntilOpen(ResourceID.fromResource(crawlJob))) {
            // A finished job serves no worker, and recovery does not wait for it: at a restart its reconcile comes
            // after the gate opens, so that the unfinished jobs' reconciles, which the gate waits for, do not queue
            // behind it.
            return UpdateControl.noUpdate();
        }
        Instant now = clock.instant();
        CrawlJobObservation observed = observer.observe(crawlJob, context, now);
        CrawlJobPlan plan = decider.decide(crawlJob, observed, now);
        executor.execute(crawlJob, context.getClient(), plan);

        CrawlJobPhase phase = plan.status().getPhase();
        if (phase.isFinished()) {
            return UpdateControl.noUpdate();
        }
        if (phase == CrawlJobPhase.Completing) {
            return UpdateControl.<CrawlJob>noUpdate().rescheduleAfter(Duration.ofMillis(100));
        }
        if (afterRecovery.deferUntilOpen(ResourceID.fromResource(crawlJob))) {
            // No worker is served until the recovery gate opens, so there is no progress to checkpoint before.
            return UpdateControl.noUpdate();
        }
        // The checkpoint: progress reaches the status at most this often, however many workers report.
        return UpdateControl.<CrawlJob>noUpdate().rescheduleAfter(settings.frontier().checkpointInterval());
    }

    private static boolean isFinished(CrawlJob crawlJob) {
        return crawlJob.getStatus() != null && crawlJob.getStatus().getPhase() != null
                && crawlJob.getStatus().getPhase().isFinished();
    }

    private static String indexKey(String namespace, String name) {
        return namespace + "/" + name;
    }
}
