package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.RecoveryExamples.NOW;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.PINNED;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.afterRestart;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.crawlJob;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.workerJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;

import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.crawljob.CrawlJobStep.CreateWorkerJob;
import io.kubecrawl.operator.crawljob.CrawlJobStep.FinalizeOutputs;
import io.kubecrawl.operator.crawljob.CrawlJobStep.MarkFinished;
import io.kubecrawl.operator.events.ClusterEvent;
import org.junit.jupiter.api.Test;

/**
 * The invariants a job's status and the operator's stores must keep, checked on recovery (and on every reconcile):
 * one a job cannot run with fails it, with a reason naming the invariant; one it can run with sets a Degraded
 * condition that goes once the invariant holds again.
 */
class CrawlJobInvariantsTest {

    private final CrawlJobDecider decider = RecoveryExamples.decider();

    @Test
    void aCompletingJobWithUnfinishedBatchesFailsRatherThanPublishingAPartialOutput() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Completing, 1);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Failed);
        assertThat(plan.status().condition(CrawlJobStatusBuilder.FAILED).orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason).containsExactly("True", "CompletingWithWorkLeft");
        assertThat(plan.status().condition(CrawlJobStatusBuilder.FAILED).orElseThrow().getMessage())
                .contains("only 1 of 2 batches are finished");
        assertThat(plan.events()).extracting(ClusterEvent::type, ClusterEvent::reason)
                .containsExactly(tuple(ClusterEvent.Type.Warning, "CompletingWithWorkLeft"));
        assertThat(plan.has(FinalizeOutputs.class)).isFalse();
        assertThat(plan.has(MarkFinished.class)).isTrue();
        assertThat(plan.status().getCompletionTime()).isNotNull();
    }

    @Test
    void aMissingPinnedBundleDegradesARunningJobWhichGoesOn() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Running, 1);

        CrawlJobPlan plan = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false)
                .withMissingBundle(PINNED), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Running);
        assertThat(plan.status().condition(CrawlJobStatusBuilder.DEGRADED).orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason, Condition::getObservedGeneration)
                .containsExactly("True", "PinnedBundleMissing", 1L);
        assertThat(plan.status().condition(CrawlJobStatusBuilder.DEGRADED).orElseThrow().getMessage())
                .contains(PINNED);
        assertThat(plan.events()).extracting(ClusterEvent::type, ClusterEvent::reason)
                .containsExactly(tuple(ClusterEvent.Type.Warning, "PinnedBundleMissing"));
        assertThat(plan.has(CreateWorkerJob.class)).isFalse();
    }

    @Test
    void theDegradedConditionIsAnnouncedOnceAndGoesWhenTheBundleIsBack() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Running, 1);
        CrawlJobPlan degraded = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false)
                .withMissingBundle(PINNED), NOW);
        crawlJob.setStatus(degraded.status());

        CrawlJobPlan still = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false)
                .withMissingBundle(PINNED), NOW.plusSeconds(5));
        crawlJob.setStatus(still.status());
        CrawlJobPlan healed = decider.decide(crawlJob, afterRestart(crawlJob, workerJob(false, 2), true, 2, false),
                NOW.plusSeconds(10));

        assertThat(still.events()).isEmpty();
        assertThat(still.status().condition(CrawlJobStatusBuilder.DEGRADED).orElseThrow().getLastTransitionTime())
                .isEqualTo(degraded.status().condition(CrawlJobStatusBuilder.DEGRADED).orElseThrow()
                        .getLastTransitionTime());
        assertThat(healed.status().condition(CrawlJobStatusBuilder.DEGRADED)).isEmpty();
        assertThat(healed.status().getConditions()).extracting(Condition::getType)
                .containsExactly("Ready", "Progressing", "Complete", "Failed", "Suspended", "Reconciling", "Stalled");
        assertThat(healed.events()).isEmpty();
    }

    @Test
    void aFinishedJobIsNeverDegraded() {
        for (CrawlJobPhase phase : List.of(CrawlJobPhase.Succeeded, CrawlJobPhase.Failed)) {
            CrawlJob crawlJob = crawlJob(phase, 2);

            CrawlJobPlan plan = decider.decide(crawlJob, RecoveryExamples.children(null, false)
                    .withMissingBundle(PINNED), NOW);

            assertThat(plan.status().condition(CrawlJobStatusBuilder.DEGRADED)).as(phase.name()).isEmpty();
            assertThat(plan.events()).isEmpty();
        }
    }
}
