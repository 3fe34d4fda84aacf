package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.RecoveryExamples.NOW;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.PINNED;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.afterRestart;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.children;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.crawlJob;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.workerJob;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.crawljob.CrawlJobStep.CreateWorkerJob;
import io.kubecrawl.operator.crawljob.CrawlJobStep.CreateWorkerToken;
import io.kubecrawl.operator.crawljob.CrawlJobStep.DiscardEarlierOutputs;
import io.kubecrawl.operator.crawljob.CrawlJobStep.ExpireLeases;
import io.kubecrawl.operator.crawljob.CrawlJobStep.FinalizeOutputs;
import io.kubecrawl.operator.crawljob.CrawlJobStep.MarkDrainRecorded;
import io.kubecrawl.operator.crawljob.CrawlJobStep.MarkFinished;
import io.kubecrawl.operator.crawljob.CrawlJobStep.RecordStatus;
import io.kubecrawl.operator.crawljob.CrawlJobStep.RestoreFrontier;
import org.junit.jupiter.api.Test;

/**
 * What a restarted operator does to a job, per phase its status recorded, read from the decide step alone: the
 * observation is what {@link CrawlJobObserver} finds right after a restart (no frontier registered, so one rebuilt
 * from the status), and the plan's steps are everything the reconcile will do.
 */
class CrawlJobRecoveryPlanTest {

    private final CrawlJobDecider decider = RecoveryExamples.decider();

    @Test
    void runningRebuildsTheFrontierFromTheStatusAndRecreatesNothingThatExists() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Running, 1);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, RecordStatus.class);
        RestoreFrontier restore = plan.steps(RestoreFrontier.class).get(0);
        assertThat(restore.frontier().isRestored()).as("waits for the workers' renewals").isTrue();
        assertThat(restore.frontier().counters().getDone()).isEqualTo(1);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Running);
        assertThat(plan.events()).isEmpty();
    }

    @Test
    void runningWhoseChildrenWentMissingRecreatesThemWithThePinnedBundle() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Running, 1);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, null, false, 2, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, CreateWorkerToken.class,
                CreateWorkerJob.class, RecordStatus.class);
        assertThat(plan.steps(CreateWorkerJob.class).get(0).job().getMetadata().getAnnotations())
                .as("the pinned bundle, not the Spider's newer one")
                .containsEntry(WorkerLabels.BUNDLE_ANNOTATION, PINNED);
        assertThat(plan.status().getBundleDigest()).isEqualTo(PINNED);
    }

    /**
     * A crash between creating the worker Job and writing the status that records it (kill point
     * WORKER_JOB_CREATED): the Job, which carries the job's generation and bundle, is found and not created again.
     */
    @Test
    void aJobCreatedButNotRecordedIsAdoptedWithItsBundle() {
        CrawlJob crawlJob = crawlJob(null, 0);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 0), true, 0, false), NOW);

        assertThat(plan.kinds()).containsExactly(DiscardEarlierOutputs.class, RestoreFrontier.class,
                ExpireLeases.class, RecordStatus.class);
        assertThat(plan.status().getBundleDigest()).isEqualTo(PINNED);
        assertThat(plan.status().getStartTime()).isEqualTo("2026-11-22T11:00:00Z");
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Pending);
    }

    /** A crash after the status said Completing, before the outputs were final (kill point COMPLETING_RECORDED). */
    @Test
    void completingResumesTheFinalisationAndRecreatesNoChild() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Completing, 2);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, null, false, 4, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, RecordStatus.class,
                MarkDrainRecorded.class, FinalizeOutputs.class);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Completing);
        assertThat(plan.events()).as("Completing was announced before the restart").isEmpty();
    }

    /**
     * Finalising twice is what a crash right after it (kill point OUTPUTS_FINALIZED) leads to, and is harmless: the
     * next plan, with the outputs final, only records Succeeded.
     */
    @Test
    void completingWithItsOutputsAlreadyFinalSucceedsWithoutFinalisingAgain() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Completing, 2);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 0), true, 4, true), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, RecordStatus.class,
                MarkDrainRecorded.class, MarkFinished.class);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
        assertThat(plan.status().getItems()).isEqualTo(4);
        assertThat(plan.status().getCompletionTime()).isNotNull();
    }

    @Test
    void finishedJobsRerunNothingAndRecreateNoChild() {
        for (CrawlJobPhase phase : List.of(CrawlJobPhase.Succeeded, CrawlJobPhase.Failed)) {
            CrawlJob crawlJob = crawlJob(phase, 2);

            CrawlJobPlan plan = decider.decide(crawlJob, children(null, false), NOW);

            assertThat(plan.kinds()).as(phase.name()).containsExactly(RecordStatus.class, MarkFinished.class);
            assertThat(plan.status().getPhase()).isEqualTo(phase);
            assertThat(plan.events()).isEmpty();
        }
    }

    @Test
    void suspendedStaysSuspendedWithItsJobAsItIs() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Suspended, 1);
        crawlJob.getSpec().setSuspend(true);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(true, 0), true, 2, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, RecordStatus.class);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Suspended);
        assertThat(plan.events()).isEmpty();
    }

    @Test
    void suspendedBeforeItEverStartedStillCreatesNoChild() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Suspended, 0);
        crawlJob.getStatus().setBundleDigest(null);
        crawlJob.getSpec().setSuspend(true);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, null, false, 0, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, RecordStatus.class);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Suspended);
    }

    /** Pending is treated as a new job: its children are created, its outputs (none yet) are kept. */
    @Test
    void pendingIsStartedAsANewJobWould() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Pending, 0);
        crawlJob.getStatus().setBundleDigest(null);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, null, false, 0, false), NOW);

        assertThat(plan.kinds()).containsExactly(RestoreFrontier.class, ExpireLeases.class, CreateWorkerToken.class,
                CreateWorkerJob.class, RecordStatus.class);
        assertThat(plan.status().getBundleDigest()).as("the Spider's bundle now").isEqualTo(RecoveryExamples.NEWER);
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Pending);
    }
}
