package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.testing.OneSlotCrawlJob;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchReport;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * The end of a crawl does not wait for the checkpoint: with checkpoints an hour apart, the job still succeeds, and its
 * workers hear that the frontier is drained, as soon as its last batch is done.
 */
@QuarkusTest
@TestProfile(DrainedFrontierTest.HourlyCheckpoints.class)
@WithKubernetesTestServer(crud = true)
class DrainedFrontierTest extends WorkerChannelTest {

    public static class HourlyCheckpoints implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kubecrawl.frontier.checkpoint-interval", "1h");
        }
    }

    @Inject
    OperatorSettings settings;

    @Inject
    FrontierRegistry frontiers;

    @Test
    void theJobSucceedsWhenItsLastBatchIsDoneNotAtTheNextCheckpoint() throws Exception {
        assertThat(settings.frontier().checkpointInterval()).isEqualTo(Duration.ofHours(1));
        WorkerClient worker = OneSlotCrawlJob.start(cluster, channel, 3, 2);
        Batch first = worker.lease().getBatch();
        assertThat(worker.complete(first, List.of("{\"n\":1}", "{\"n\":2}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);
        Batch last = worker.lease().getBatch();
        assertThat(worker.complete(last, List.of("{\"n\":3}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);

        cluster.awaitCrawlJob(OneSlotCrawlJob.NAME, c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);

        assertThat(worker.lease().hasDrained()).isTrue();
    }

    @Test
    void aLastBatchGivenUpEndsTheCrawlAsSoonToo() throws Exception {
        WorkerClient worker = OneSlotCrawlJob.start(cluster, channel, 1, 1);
        assertThat(worker.fail(worker.lease().getBatch(), 1, "crashed").getOutcome())
                .isEqualTo(BatchReport.Outcome.RETRYING);
        assertThat(worker.fail(worker.lease().getBatch(), 1, "crashed again").getOutcome())
                .isEqualTo(BatchReport.Outcome.GAVE_UP);

        cluster.awaitCrawlJob(OneSlotCrawlJob.NAME, c -> c.getStatus().getPhase() != null
                && c.getStatus().getPhase().isFinished() && c.getStatus().getBatches().getFailed() == 1);

        assertThat(worker.lease().hasDrained()).isTrue();
    }

    /**
     * Seen on a real cluster: a worker still running a batch when its job succeeded was told "not ready yet; retry"
     * for ten minutes, and its Job kept running. A report on a finished job gets a definite answer at once.
     */
    @Test
    void reportsOnAFinishedJobAreAcceptedAndIgnoredAtOnce() throws Exception {
        WorkerClient worker = OneSlotCrawlJob.start(cluster, channel, 1, 1);
        Batch only = worker.lease().getBatch();
        assertThat(worker.complete(only, List.of("{\"n\":1}")).getOutcome()).isEqualTo(BatchReport.Outcome.COMPLETED);
        cluster.awaitCrawlJob(OneSlotCrawlJob.NAME, c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        await("the finished job's frontier dropped").atMost(Duration.ofSeconds(30))
                .until(() -> frontiers.isFinished(OneSlotCrawlJob.job(cluster)));

        assertThat(worker.complete(only, List.of("{\"n\":1}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);
        assertThat(worker.fail(only, 1, "late").getOutcome()).isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);
        assertThat(worker.renew(only).getHeldList()).isEmpty();
        assertThat(worker.lease().hasDrained()).isTrue();
    }
}
