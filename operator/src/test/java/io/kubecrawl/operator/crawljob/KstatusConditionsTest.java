package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.RecoveryExamples.NOW;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.crawlJob;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kstatus (Flux, kpt, cli-utils) reads the abnormal-true pair Reconciling and Stalled: InProgress while Reconciling,
 * Failed while Stalled, Current when neither. Every phase and Pending reason sets exactly one meaning.
 */
class KstatusConditionsTest {

    @ParameterizedTest(name = "{0} {1}: Reconciling={2} Stalled={3}")
    @CsvSource({
        "Pending, WorkersStarting, True, False",
        "Pending, SpiderNotReconciled, True, False",
        "Pending, SpiderNotFound, False, True",
        "Pending, SpiderNotReady, False, True",
        "Pending, SeedsNotFound, False, True",
        "Running, Crawling, True, False",
        "Completing, FrontierDrained, True, False",
        "Suspended, SuspendedBySpec, False, False",
        "Succeeded, CrawlCompleted, False, False",
        "Failed, WorkersFailed, False, True",
        "Failed, FrontierStoreBehind, False, True",
    })
    void eachPhaseSetsReconcilingAndStalled(CrawlJobPhase phase, String reason, String reconciling, String stalled) {
        CrawlJobStatus status = new CrawlJobStatusBuilder(crawlJob(null, 0), NOW).phase(phase, reason, "message")
                .build();

        assertThat(status.condition(CrawlJobStatusBuilder.RECONCILING).orElseThrow().getStatus())
                .isEqualTo(reconciling);
        assertThat(status.condition(CrawlJobStatusBuilder.STALLED).orElseThrow().getStatus()).isEqualTo(stalled);
        assertThat(status.getObservedGeneration()).as("kstatus compares it with metadata.generation first")
                .isEqualTo(crawlJob(null, 0).getMetadata().getGeneration());
    }

    @Test
    void theStalledConditionOfAFailedJobCarriesTheReasonOfTheFailure() {
        CrawlJobStatus status = new CrawlJobStatusBuilder(crawlJob(null, 0), NOW)
                .phase(CrawlJobPhase.Failed, CrawlJobReasons.INVALID_SEEDS, "seed line 3: not a URL").build();

        assertThat(status.condition(CrawlJobStatusBuilder.STALLED).orElseThrow())
                .satisfies(stalled -> {
                    assertThat(stalled.getReason()).isEqualTo("InvalidSeeds");
                    assertThat(stalled.getMessage()).isEqualTo("seed line 3: not a URL");
                });
    }
}
