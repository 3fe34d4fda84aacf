package io.kubecrawl.operator.crawljob;

import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.operator.events.ClusterEvent;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.GivenUpBatch;

/**
 * One side effect of a CrawlJob reconcile. {@link CrawlJobDecider} lists them in the order they must run and
 * {@link CrawlJobPlanExecutor} runs them, so that what a reconcile does, after a restart or at any other point, is
 * read from the plan alone. The order matters: children before the status that records them (a crash in between
 * leaves children the next reconcile finds by their generation annotation), and the outputs finalised only after a
 * status that says Completing (a crash in between is resumed by the next operator).
 */
public sealed interface CrawlJobStep {

    /**
     * Deletes the items and logs filed under the job's name: on a job's first reconcile nothing of it can be stored
     * yet, so they belong to an earlier job of the same name and must not reach this one's output.
     */
    record DiscardEarlierOutputs() implements CrawlJobStep {
    }

    /**
     * Makes the frontier that observing built from the status the job's frontier, where workers find it (after a
     * restart, or on the job's first reconcile).
     */
    record RestoreFrontier(Frontier frontier) implements CrawlJobStep {
    }

    /** Gives the frontier the spec's settings: {@code spec.limits} may change while the job runs. */
    record UpdateFrontierSettings(FrontierSettings settings) implements CrawlJobStep {
    }

    /**
     * Returns the batches of workers that died to their slots, and starts a restored frontier's grace period: the
     * housekeeping every reconcile of a job with a frontier does.
     */
    record ExpireLeases(Instant now) implements CrawlJobStep {
    }

    /** Creates the job's worker token Secret, with a new random token. */
    record CreateWorkerToken() implements CrawlJobStep {
    }

    /** Creates the worker Job; finding it already there (the informer lags our own writes) is success. */
    record CreateWorkerJob(Job job) implements CrawlJobStep {
    }

    /**
     * Sets an existing worker Job's parallelism and suspend, and its generation annotation to the CrawlJob generation
     * this was decided from.
     */
    record PatchWorkerJob(String name, int parallelism, boolean suspend, Long generation) implements CrawlJobStep {
    }

    /**
     * Writes the status, unless it equals the one the job carries. The Events announcing a phase change are sent
     * when, and only when, the write is: a reconcile that the informer has not caught up with decides the same
     * change again and must not announce it twice.
     */
    record RecordStatus(CrawlJobStatus status, List<ClusterEvent> transitionEvents) implements CrawlJobStep {
    }

    /**
     * Tells the frontier that the status now says it is drained, so that its workers may be told so and exit: a
     * worker that exits must never find, after a restart, a status that still lists work.
     */
    record MarkDrainRecorded() implements CrawlJobStep {
    }

    /** Marks the job's item output final and its logs finished; idempotent, so a restart may run it again. */
    record FinalizeOutputs() implements CrawlJobStep {
    }

    /** Emits a Warning Event for a batch the frontier gave up, once. */
    record ReportGivenUpBatch(GivenUpBatch batch) implements CrawlJobStep {
    }

    /** Drops a finished job's frontier (its workers are told it is drained) and finishes its logs. */
    record MarkFinished() implements CrawlJobStep {
    }
}
