package io.kubecrawl.operator.crawljob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.events.ClusterEvent;
import io.kubecrawl.operator.events.EventRecorder;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.frontier.DrainedFrontiers;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.InconsistentFrontierException;
import io.kubecrawl.operator.frontier.InvalidSeedException;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.status.StatusRecorder;
import io.kubecrawl.protocol.CrawlJobName;
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
    static final String BATCH_FAILED = "BatchFailed";
    /** JSON pointer of the generation annotation ('/' in the key escaped as ~1). */
    private static final String GENERATION_PATH = "/metadata/annotations/"
            + WorkerLabels.GENERATION_ANNOTATION.replace("~", "~0").replace("/", "~1");
    private static final Logger LOG = Logger.getLogger(CrawlJobReconciler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CrawlJobDecider decider;
    private final StatusRecorder statusRecorder;
    private final EventRecorder eventRecorder;
    private final FrontierRegistry frontiers;
    private final ItemStore items;
    private final BundleStore bundles;
    private final LogStore logs;
    private final OperatorSettings settings;
    private final DrainedFrontiers drainedFrontiers;
    private final Clock clock;
    private final KillPoints killPoints;

    public CrawlJobReconciler(CrawlJobDecider decider, StatusRecorder statusRecorder, EventRecorder eventRecorder,
            FrontierRegistry frontiers, ItemStore items, BundleStore bundles, LogStore logs,
            OperatorSettings settings, DrainedFrontiers drainedFrontiers, Clock clock, KillPoints killPoints) {
        this.decider = decider;
        this.statusRecorder = statusRecorder;
        this.eventRecorder = eventRecorder;
        this.frontiers = frontiers;
        this.items = items;
        this.bundles = bundles;
        this.logs = logs;
        this.settings = settings;
        this.drainedFrontiers = drainedFrontiers;
        this.clock = clock;
        this.killPoints = killPoints;
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
                new InformerEventSource<>(secrets, context), drainedFrontiers.eventSource());
    }

    @Override
    public UpdateControl<CrawlJob> reconcile(CrawlJob crawlJob, Context<CrawlJob> context) {
        Instant now = clock.instant();
        CrawlJobName name = new CrawlJobName(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName());
        CrawlJobObservation observed = observe(crawlJob, name, context, now);
        CrawlJobPlan plan = decider.decide(crawlJob, observed, now);

        KubernetesClient client = context.getClient();
        if (plan.createWorkerToken()) {
            createIfAbsent(client, WorkerTokenSecretFactory.build(crawlJob, newToken()));
            killPoints.reach(KillPoint.TOKEN_CREATED);
        }
        plan.createWorkerJob().ifPresent(job -> {
            createIfAbsent(client, job);
            killPoints.reach(KillPoint.WORKER_JOB_CREATED);
        });
        plan.changeWorkerJob().ifPresent(change -> observed.workerJob().ifPresent(job -> {
            LOG.infof("Worker Job %s/%s: parallelism %d, suspend %s", job.getMetadata().getNamespace(),
                    job.getMetadata().getName(), change.parallelism(), change.suspend());
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(List.of(
                            Map.of("op", "add", "path", "/spec/parallelism", "value", change.parallelism()),
                            Map.of("op", "add", "path", "/spec/suspend", "value", change.suspend()),
                            Map.of("op", "add", "path", GENERATION_PATH,
                                    "value", String.valueOf(crawlJob.getMetadata().getGeneration())))));
        }));
        if (statusRecorder.record(crawlJob, plan.status())) {
            plan.events().forEach(event -> eventRecorder.record(crawlJob, event));
            killPoints.reach(switch (plan.status().getPhase()) {
                case Running -> KillPoint.CHECKPOINT_WRITTEN;
                case Completing -> KillPoint.COMPLETING_RECORDED;
                case Succeeded -> KillPoint.SUCCEEDED_RECORDED;
                default -> null;
            });
        }
        Optional<Frontier> frontier = frontiers.find(name);
        if (observed.frontier().map(FrontierView::drained).orElse(false)) {
            frontier.ifPresent(Frontier::markDrainRecorded);
        }
        // After the status says Completing, so that a crash here is resumed by the next operator.
        if (plan.finalizeOutputs()) {
            finalizeOutputs(name);
            killPoints.reach(KillPoint.OUTPUTS_FINALIZED);
        }
        frontier.ifPresent(f -> f.drainGivenUp().forEach(batch ->
                eventRecorder.record(crawlJob, ClusterEvent.warning(BATCH_FAILED, "batch " + batch.batch()
                        + " was given up after " + batch.attempts() + " failed attempts: " + batch.lastError()))));

        CrawlJobPhase phase = plan.status().getPhase();
        if (phase.isFinished()) {
            frontiers.markFinished(name);
            logs.finishAll(name);
            return UpdateControl.noUpdate();
        }
        // The checkpoint: progress reaches the status at most this often, however many workers report.
        return UpdateControl.<CrawlJob>noUpdate().rescheduleAfter(phase == CrawlJobPhase.Completing
                ? Duration.ofMillis(100) : settings.frontier().checkpointInterval());
    }

    private CrawlJobObservation observe(CrawlJob crawlJob, CrawlJobName name, Context<CrawlJob> context,
            Instant now) {
        Optional<Spider> spider = context.getSecondaryResource(Spider.class);
        Optional<Job> job = context.getSecondaryResource(Job.class);
        Optional<Secret> token = context.getSecondaryResource(Secret.class);
        CrawlJobStatus status = crawlJob.getStatus();
        if (status != null && status.getPhase() != null && status.getPhase().isFinished()) {
            return new CrawlJobObservation(spider, job, token);
        }
        if (status == null) {
            // A job's first reconcile: nothing of it can be stored yet, so whatever is filed under its name belongs
            // to an earlier job of the same name and must not reach this one's output.
            discardOutputs(name);
        }
        Optional<String> pinnedBundle = pinnedBundle(status, job);
        if (SeedsReader.fromBundle(crawlJob) && pinnedBundle.isEmpty()) {
            // The seeds are in the bundle this reconcile pins: the frontier is built from them on the next one.
            return new CrawlJobObservation(spider, job, token);
        }
        FrontierSettings frontierSettings = CrawlJobSpecs.frontierSettings(crawlJob, settings.frontier().retryAfter());
        try {
            Frontier frontier = frontiers.getOrRestore(name, crawlJob.getMetadata().getUid(), () -> {
                Frontier restored = Frontier.restore(CrawlJobSpecs.layout(crawlJob, SeedsReader.read(crawlJob,
                        context.getClient(), bundles, pinnedBundle)), frontierSettings,
                        status == null ? null : status.getSlots(), status == null ? null : status.getSeedsDigest());
                if (restored.isRestored()) {
                    killPoints.reach(KillPoint.FRONTIER_RESTORED);
                }
                return restored;
            });
            // spec.limits may have changed since the frontier was built.
            frontier.updateSettings(frontierSettings);
            // Housekeeping before the snapshot: the batches of workers that died go back to their slots.
            frontier.expireLeases(now);
            FrontierView view = new FrontierView(frontier.seedsDigest(), frontier.progress(), frontier.counters(),
                    frontier.requests(), items.count(name), frontier.isDrained(), items.isFinal(name));
            return new CrawlJobObservation(spider, job, token, Optional.of(view), Optional.empty());
        } catch (SeedsReader.SeedsNotFoundException e) {
            return problem(spider, job, token, CrawlJobDecider.SEEDS_NOT_FOUND, e.getMessage(), e.fatal());
        } catch (InvalidSeedException e) {
            return problem(spider, job, token, CrawlJobDecider.INVALID_SEEDS, e.getMessage(), true);
        } catch (InconsistentFrontierException e) {
            return problem(spider, job, token, CrawlJobDecider.INCONSISTENT_STATUS,
                    "the frontier progress in the status does not fit the job's seeds: " + e.getMessage(), true);
        }
    }

    /**
     * The bundle the job runs: the one its status pinned, or, when the status write that pinned it was lost, the one
     * its worker Job was created with.
     */
    private static Optional<String> pinnedBundle(CrawlJobStatus status, Optional<Job> job) {
        if (status != null && status.getBundleDigest() != null) {
            return Optional.of(status.getBundleDigest());
        }
        return job.flatMap(WorkerLabels::bundleDigest);
    }

    private static CrawlJobObservation problem(Optional<Spider> spider, Optional<Job> job, Optional<Secret> token,
            String reason, String message, boolean fatal) {
        return new CrawlJobObservation(spider, job, token, Optional.empty(),
                Optional.of(new JobProblem(reason, message, fatal)));
    }

    private void discardOutputs(CrawlJobName name) {
        try {
            items.deleteAll(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the items of an earlier job named " + name, e);
        }
        logs.deleteAll(name);
    }

    private void finalizeOutputs(CrawlJobName name) {
        try {
            items.finalizeOutput(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finalise the items of " + name, e);
        }
        logs.finishAll(name);
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
