package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.CrawlJobReasons.COMPLETING_WITH_WORK_LEFT;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.CRAWLING;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.CRAWL_COMPLETED;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.DEADLINE_EXCEEDED;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.FRONTIER_DRAINED;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.PINNED_BUNDLE_MISSING;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.SEEDS_NOT_FOUND;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.SPIDER_NOT_FOUND;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.SPIDER_NOT_READY;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.SPIDER_NOT_RECONCILED;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.SUSPENDED_BY_SPEC;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.WORKERS_EXITED_EARLY;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.WORKERS_FAILED;
import static io.kubecrawl.operator.crawljob.CrawlJobReasons.WORKERS_STARTING;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.WorkersStatus;
import io.kubecrawl.operator.events.ClusterEvent;
import io.kubecrawl.operator.frontier.FrontierSettings;

/**
 * Decides, from a CrawlJob and what the cluster and the stores hold for it, every side effect of one reconcile: which
 * children to create or change, the status to write, and what to do to the frontier and the outputs, as the steps
 * of a {@link CrawlJobPlan}. A pure function: it reads nothing and writes nothing, so what a reconcile does, after a
 * restart or at any other point, is unit-tested here.
 */
public class CrawlJobDecider {

    private final WorkerJobFactory workerJobFactory;
    private final Duration retryAfter;

    /**
     * @param retryAfter how long a worker told to wait waits before it asks again (part of the frontier settings)
     */
    public CrawlJobDecider(WorkerJobFactory workerJobFactory, Duration retryAfter) {
        this.workerJobFactory = workerJobFactory;
        this.retryAfter = retryAfter;
    }

    public CrawlJobPlan decide(CrawlJob crawlJob, CrawlJobObservation observed, Instant now) {
        CrawlJobStatusBuilder status = new CrawlJobStatusBuilder(crawlJob, now);
        CrawlJobStatus previous = crawlJob.getStatus();
        CrawlJobPhase previousPhase = previous == null ? null : previous.getPhase();
        List<CrawlJobStep> steps = new ArrayList<>();

        // Succeeded and Failed are final: a finished job is left alone, whatever happens to its children. Only the
        // worker counts follow the Job, as its last workers exit after the finish.
        if (previousPhase != null && previousPhase.isFinished()) {
            status.phase(previousPhase, previousReason(previous), previousMessage(previous));
            observed.workerJob().ifPresent(job -> status.workers(workersStatus(job, 0)));
            steps.add(new CrawlJobStep.RecordStatus(status.build(), List.of()));
            steps.add(new CrawlJobStep.MarkFinished());
            return new CrawlJobPlan(steps);
        }

        if (previous == null) {
            steps.add(new CrawlJobStep.DiscardEarlierOutputs());
        }
        // On a first reconcile, what the stores hold under the job's name is discarded above.
        Optional<FrontierView> frontier = observed.frontier()
                .map(view -> previous == null ? view.withoutEarlierOutputs() : view);
        frontier.ifPresent(view -> {
            view.rebuilt().ifPresent(rebuilt -> steps.add(new CrawlJobStep.RestoreFrontier(rebuilt)));
            FrontierSettings settings = CrawlJobSpecs.frontierSettings(crawlJob, retryAfter);
            if (!settings.equals(view.settings())) {
                // spec.limits changed since the frontier was built.
                steps.add(new CrawlJobStep.UpdateFrontierSettings(settings));
            }
            // Housekeeping before the status: the batches of workers that died go back to their slots.
            steps.add(new CrawlJobStep.ExpireLeases(now));
        });

        if (observed.problem().isPresent()) {
            JobProblem problem = observed.problem().get();
            if (problem.fatal()) {
                status.completionTimeIfUnset(now);
            }
            status.phase(problem.fatal() ? CrawlJobPhase.Failed : CrawlJobPhase.Pending, problem.reason(),
                    problem.message());
            return finish(steps, status, previous, frontier, observed);
        }
        frontier.ifPresent(status::frontier);
        if (previousPhase == CrawlJobPhase.Completing && frontier.isPresent() && !frontier.get().drained()) {
            // Completing is only ever written for a drained frontier, and finished batches stay finished: the status
            // was edited, or written by something else than this operator. Finalising would publish a partial
            // output as complete; running again would redo work the status may have lost. Neither is safe.
            BatchCounters batches = frontier.get().batches();
            status.completionTimeIfUnset(now);
            status.phase(CrawlJobPhase.Failed, COMPLETING_WITH_WORK_LEFT, "the status says Completing, but only "
                    + (batches.getDone() + batches.getFailed()) + " of " + batches.getTotal() + " batches are "
                    + "finished (a Completing job has every batch finished): the status was changed by something "
                    + "other than the operator");
            observed.workerJob().ifPresent(job -> status.workers(workersStatus(job, 0)));
            return finish(steps, status, previous, frontier, observed);
        }
        if (frontier.map(FrontierView::drained).orElse(false)) {
            boolean finalized = frontier.get().outputsFinalized();
            if (previousPhase == CrawlJobPhase.Completing && finalized) {
                status.completionTimeIfUnset(now);
                status.phase(CrawlJobPhase.Succeeded, CRAWL_COMPLETED, "every batch is finished and the items are "
                        + "final: " + frontier.get().items() + " items");
            } else {
                status.phase(CrawlJobPhase.Completing, FRONTIER_DRAINED,
                        "every batch is finished; finalising the items and logs");
            }
            observed.workerJob().ifPresent(job -> status.workers(workersStatus(job, 0)));
            return finish(steps, status, previous, frontier, observed);
        }

        boolean suspend = CrawlJobSpecs.suspended(crawlJob);
        int workers = CrawlJobSpecs.workers(crawlJob);
        Optional<Job> job = observed.workerJob();

        if (job.isEmpty()) {
            Optional<String> digest = Optional.ofNullable(previous == null ? null : previous.getBundleDigest());
            if (suspend) {
                status.phase(CrawlJobPhase.Suspended, SUSPENDED_BY_SPEC,
                        "spec.suspend is true; no worker runs until it is set to false");
            } else if (observed.spider().isEmpty()) {
                status.phase(CrawlJobPhase.Pending, SPIDER_NOT_FOUND, "Spider " + spiderName(crawlJob)
                        + " does not exist in namespace " + crawlJob.getMetadata().getNamespace());
            } else if (digest.isEmpty() && !isReconciled(observed.spider().get())) {
                // What kubectl apply -f of a Spider and its CrawlJob together leads to, every time: no warning.
                status.phase(CrawlJobPhase.Pending, SPIDER_NOT_RECONCILED, "Spider " + spiderName(crawlJob)
                        + " has not been resolved yet; the job starts once it is Ready");
            } else if (digest.isEmpty() && !isReady(observed.spider().get())) {
                status.phase(CrawlJobPhase.Pending, SPIDER_NOT_READY, "Spider " + spiderName(crawlJob)
                        + " is not ready: " + readyMessage(observed.spider().get()));
            } else {
                // The digest is pinned once: a running job keeps its bundle whatever later happens to the Spider.
                String bundle = digest.orElseGet(() -> observed.spider().get().getStatus().getBundle().getDigest());
                status.bundleDigest(bundle).startTimeIfUnset(now);
                if (observed.workerToken().isEmpty()) {
                    steps.add(new CrawlJobStep.CreateWorkerToken());
                }
                steps.add(new CrawlJobStep.CreateWorkerJob(
                        workerJobFactory.build(crawlJob, observed.spider().get(), bundle)));
                status.workers(new WorkersStatus(workers, 0, 0, 0, 0));
                status.phase(CrawlJobPhase.Pending, WORKERS_STARTING, "creating worker Job "
                        + ChildNames.workerJob(crawlJob.getMetadata().getName()) + " with " + workers + " workers");
            }
        } else {
            Job existing = job.get();
            if (observed.workerToken().isEmpty() && !isFinished(existing)) {
                steps.add(new CrawlJobStep.CreateWorkerToken());
            }
            status.startTimeIfUnset(creation(existing).orElse(now));
            if (status.bundleDigest() == null) {
                // The Job was created but the status that pinned its bundle was not written: its annotation tells.
                status.bundleDigest(WorkerLabels.bundleDigest(existing).orElse(null));
            }
            status.workers(workersStatus(existing, suspend ? 0 : workers));
            observeJob(existing, suspend, status, now);
            boolean parallelismDiffers = !Objects.equals(existing.getSpec().getParallelism(), workers);
            boolean suspendDiffers = suspend != Boolean.TRUE.equals(existing.getSpec().getSuspend());
            if (!status.phase().isFinished() && (parallelismDiffers || suspendDiffers)) {
                steps.add(new CrawlJobStep.PatchWorkerJob(existing.getMetadata().getName(), workers, suspend,
                        crawlJob.getMetadata().getGeneration()));
            }
        }
        return finish(steps, status, previous, frontier, observed);
    }

    /**
     * The steps after the children: the status, then what must follow its write (the drain recorded, the outputs
     * finalised once the status says Completing, given-up batches reported, a finished job's frontier dropped).
     */
    private static CrawlJobPlan finish(List<CrawlJobStep> steps, CrawlJobStatusBuilder status,
            CrawlJobStatus previous, Optional<FrontierView> frontier, CrawlJobObservation observed) {
        if (!status.phase().isFinished()) {
            // Workers that synced the bundle go on; a pod that starts now cannot sync it. The Spider's reconciler
            // refills the store from a ConfigMap source; an uploaded bundle must be uploaded again.
            observed.missingBundle().ifPresent(digest -> status.degraded(PINNED_BUNDLE_MISSING, "bundle " + digest
                    + " pinned by the job is not in the operator's bundle store: worker pods that start now cannot "
                    + "sync it until it is stored again (for an uploaded bundle, upload the same archive again)"));
        }
        steps.add(new CrawlJobStep.RecordStatus(status.build(), events(previous, status)));
        if (frontier.map(FrontierView::drained).orElse(false)) {
            steps.add(new CrawlJobStep.MarkDrainRecorded());
        }
        if (status.phase() == CrawlJobPhase.Completing) {
            steps.add(new CrawlJobStep.FinalizeOutputs());
        }
        frontier.ifPresent(view -> view.unreportedGivenUp()
                .forEach(batch -> steps.add(new CrawlJobStep.ReportGivenUpBatch(batch))));
        if (status.phase().isFinished()) {
            steps.add(new CrawlJobStep.MarkFinished());
        }
        return new CrawlJobPlan(steps);
    }

    private static void observeJob(Job job, boolean suspend, CrawlJobStatusBuilder status, Instant now) {
        Optional<JobCondition> failed = trueCondition(job, "Failed");
        Optional<JobCondition> complete = trueCondition(job, "Complete");
        JobStatus jobStatus = job.getStatus();
        if (complete.isPresent()) {
            // Workers exit 0 only once told the frontier is drained, and a drained frontier was handled before.
            status.completionTimeIfUnset(now);
            status.phase(CrawlJobPhase.Failed, WORKERS_EXITED_EARLY, "every worker of Job "
                    + job.getMetadata().getName() + " exited successfully before the frontier was drained");
        } else if (failed.isPresent()) {
            status.completionTimeIfUnset(now);
            String jobReason = failed.get().getReason();
            String reason = "DeadlineExceeded".equals(jobReason) ? DEADLINE_EXCEEDED : WORKERS_FAILED;
            status.phase(CrawlJobPhase.Failed, reason, "worker Job " + job.getMetadata().getName() + " failed"
                    + (jobReason == null ? "" : " (" + jobReason + ")")
                    + (failed.get().getMessage() == null ? "" : ": " + failed.get().getMessage()));
        } else if (suspend) {
            status.phase(CrawlJobPhase.Suspended, SUSPENDED_BY_SPEC,
                    "spec.suspend is true; the workers are stopped until it is set to false");
        } else if (count(jobStatus == null ? null : jobStatus.getReady()) > 0) {
            // Ready, not merely active: an active pod may still be pending or syncing its bundle.
            status.phase(CrawlJobPhase.Running, CRAWLING, count(jobStatus.getReady()) + " workers running");
        } else {
            status.phase(CrawlJobPhase.Pending, WORKERS_STARTING, "waiting for worker pods of Job "
                    + job.getMetadata().getName() + " to sync their bundle and start");
        }
    }

    private static List<ClusterEvent> events(CrawlJobStatus previous, CrawlJobStatusBuilder next) {
        String previousReason = previous == null || previous.getPhase() == null ? null : previousReason(previous);
        CrawlJobPhase previousPhase = previous == null ? null : previous.getPhase();
        List<ClusterEvent> events = new ArrayList<>();
        if (next.phase() != previousPhase || !Objects.equals(next.reason(), previousReason)) {
            boolean userMustAct = next.phase() == CrawlJobPhase.Failed || SPIDER_NOT_FOUND.equals(next.reason())
                    || SPIDER_NOT_READY.equals(next.reason()) || SEEDS_NOT_FOUND.equals(next.reason());
            events.add(userMustAct ? ClusterEvent.warning(next.reason(), next.message())
                    : ClusterEvent.normal(next.reason(), next.message()));
        }
        String previousDegraded = previous == null ? null : previous.condition(CrawlJobStatusBuilder.DEGRADED)
                .filter(Condition::isTrue).map(Condition::getReason).orElse(null);
        if (next.degradedReason() != null && !next.degradedReason().equals(previousDegraded)) {
            events.add(ClusterEvent.warning(next.degradedReason(), next.degradedMessage()));
        }
        return events;
    }

    private static WorkersStatus workersStatus(Job job, int desired) {
        JobStatus s = job.getStatus();
        if (s == null) {
            return new WorkersStatus(desired, 0, 0, 0, 0);
        }
        return new WorkersStatus(desired, count(s.getReady()), count(s.getActive()), count(s.getSucceeded()),
                count(s.getFailed()));
    }

    private static Optional<JobCondition> trueCondition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && Condition.TRUE.equals(c.getStatus()))
                .findFirst();
    }

    private static boolean isFinished(Job job) {
        return trueCondition(job, "Complete").isPresent() || trueCondition(job, "Failed").isPresent();
    }

    private static Optional<Instant> creation(Job job) {
        return Optional.ofNullable(job.getMetadata().getCreationTimestamp()).map(Instant::parse);
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }

    private static boolean isReady(Spider spider) {
        return spider.getStatus() != null && spider.getStatus().getBundle() != null
                && spider.getStatus().getBundle().getDigest() != null
                && spider.getStatus().condition("Ready").map(Condition::isTrue).orElse(false)
                && Objects.equals(spider.getStatus().getObservedGeneration(), spider.getMetadata().getGeneration());
    }

    /** Whether the Spider's status speaks of its current spec. */
    private static boolean isReconciled(Spider spider) {
        return spider.getStatus() != null
                && Objects.equals(spider.getStatus().getObservedGeneration(), spider.getMetadata().getGeneration());
    }

    private static String readyMessage(Spider spider) {
        return spider.getStatus() == null ? "it has not been reconciled yet"
                : spider.getStatus().condition("Ready").map(c -> c.getReason() + ": " + c.getMessage())
                        .orElse("it has not been reconciled yet");
    }

    private static String spiderName(CrawlJob crawlJob) {
        return crawlJob.getSpec().getSpiderRef().getName();
    }

    /** The condition that carries the reason of a phase: the one a user looks at for that phase. */
    private static Optional<Condition> phaseCondition(CrawlJobStatus previous) {
        String type = switch (previous.getPhase()) {
            case Succeeded -> CrawlJobStatusBuilder.COMPLETE;
            case Failed -> CrawlJobStatusBuilder.FAILED;
            case Suspended -> CrawlJobStatusBuilder.SUSPENDED;
            case Running, Completing, Pending -> CrawlJobStatusBuilder.PROGRESSING;
        };
        return previous.condition(type);
    }

    private static String previousReason(CrawlJobStatus previous) {
        return phaseCondition(previous).map(Condition::getReason).orElse(null);
    }

    private static String previousMessage(CrawlJobStatus previous) {
        return phaseCondition(previous).map(Condition::getMessage).orElse(null);
    }
}
