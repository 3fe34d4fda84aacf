package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.OneSlotCrawlJob;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchReport;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * A job's frontier as workers see it over gRPC, and how its progress reaches the CrawlJob status. An operator restart
 * in the middle of a job: {@link CrawlJobRestartLeasesTest}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlJobFrontierTest extends WorkerChannelTest {

    @Inject
    ItemStore items;

    @Inject
    LogStore logs;

    @Test
    void workersDrainTheFrontierAndTheJobSucceedsWithEveryItemOnce() throws Exception {
        WorkerClient worker = startJob(7, 2);
        List<String> expected = new ArrayList<>();

        worker.drain(batch -> {
            List<String> batchItems = batch.getRequestsList().stream()
                    .map(url -> "{\"url\":\"" + url + "\"}").toList();
            assertThat(worker.complete(batch, batchItems).getOutcome()).isEqualTo(BatchReport.Outcome.COMPLETED);
            expected.addAll(batchItems);
            worker.log(batch.getRef(), false, "crawled " + batch.getRequestsCount() + " pages");
        });

        CrawlJob done = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        assertThat(done.getStatus().getItems()).isEqualTo(7);
        assertThat(done.getStatus().getRequests()).isEqualTo(7);
        assertThat(done.getStatus().getBatches().getTotal()).isEqualTo(done.getStatus().getBatches().getDone());
        assertThat(done.getStatus().getProgress()).isEqualTo(done.getStatus().getBatches().getTotal() + "/"
                + done.getStatus().getBatches().getTotal());
        assertThat(done.getStatus().getCompletionTime()).isNotNull();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        items.writeTo(job(), out);
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).containsExactlyInAnyOrderElementsOf(expected);
        // Logs are finished after the status write that says Succeeded.
        await().atMost(MockCluster.TIMEOUT).until(() -> logs.isFinished(job(), "worker-1"));
        cluster.awaitEventReasons("FrontierDrained", "CrawlCompleted");

        // The workers' Job then completes: the job stays Succeeded.
        cluster.setJobStatus("crawl-workers", s -> {
            s.setConditions(List.of(new JobConditionBuilder().withType("Complete").withStatus("True").build()));
            return s;
        });
        assertThat(worker.lease().hasDrained()).isTrue();
    }

    @Test
    void aBatchCompletedTwiceKeepsItsItemsOnce() throws Exception {
        WorkerClient first = startJob(2, 2);
        Batch batch = first.lease().getBatch();

        assertThat(first.complete(batch, List.of("{\"n\":1}", "{\"n\":2}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);
        assertThat(first.complete(batch, List.of("{\"n\":1}", "{\"n\":2}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);

        cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        items.writeTo(job(), out);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("{\"n\":1}", "{\"n\":2}");
    }

    @Test
    void aBatchThatKeepsFailingIsGivenUpWithItsReasonInStatusAndAnEvent() {
        WorkerClient worker = startJob(2, 2);

        Batch first = worker.lease().getBatch();
        assertThat(worker.fail(first, 1, "Traceback: boom").getOutcome()).isEqualTo(BatchReport.Outcome.RETRYING);
        Batch second = worker.lease().getBatch();
        assertThat(second.getRef()).isEqualTo(first.getRef());
        assertThat(second.getAttempt()).isEqualTo(2);
        assertThat(worker.fail(second, 1, "Traceback: boom").getOutcome()).isEqualTo(BatchReport.Outcome.GAVE_UP);

        CrawlJob failedBatch = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getBatches() != null
                && c.getStatus().getBatches().getFailed() == 1);
        assertThat(failedBatch.getStatus().getSlots()).singleElement().satisfies(slot -> {
            assertThat(slot.getFailed()).containsExactly(0);
            assertThat(slot.getAttempts()).singleElement().satisfies(a -> {
                assertThat(a.getAttempts()).isEqualTo(2);
                assertThat(a.getLastError()).contains("exited with 1", "Traceback: boom");
            });
        });
        cluster.awaitEventReasons("BatchFailed");
        // The job goes on without the batch: nothing left, so it is drained (once recorded) and completes.
        await().atMost(MockCluster.TIMEOUT).until(() -> worker.lease().hasDrained());
        CrawlJob done = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        assertThat(done.getStatus().getBatches().getFailed()).isEqualTo(1);
        assertThat(done.getStatus().getItems()).isZero();
    }

    @Test
    void aRaisedMaxBatchAttemptsReachesTheRunningJob() {
        WorkerClient worker = startJob(2, 2);
        Batch first = worker.lease().getBatch();
        assertThat(worker.fail(first, 1, "Traceback: boom").getOutcome()).isEqualTo(BatchReport.Outcome.RETRYING);

        CrawlJob edited = cluster.editCrawlJob("crawl", c -> {
            c.getSpec().getLimits().setMaxBatchAttempts(3);
            return c;
        });
        cluster.awaitCrawlJob("crawl", c -> edited.getMetadata().getGeneration()
                .equals(c.getStatus().getObservedGeneration()));

        // With the 2 attempts the job started with, this failure would give the batch up.
        Batch second = worker.lease().getBatch();
        assertThat(worker.fail(second, 1, "Traceback: boom").getOutcome()).isEqualTo(BatchReport.Outcome.RETRYING);
        Batch third = worker.lease().getBatch();
        assertThat(third.getAttempt()).isEqualTo(3);
        assertThat(worker.fail(third, 1, "Traceback: boom").getOutcome()).isEqualTo(BatchReport.Outcome.GAVE_UP);
    }

    @Test
    void workersThatAllExitBeforeTheFrontierIsDrainedFailTheJob() {
        startJob(4, 2);

        cluster.setJobStatus("crawl-workers", s -> {
            s.setSucceeded(2);
            s.setConditions(List.of(new JobConditionBuilder().withType("Complete").withStatus("True").build()));
            return s;
        });

        CrawlJob failed = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed);
        assertThat(failed.getStatus().condition("Failed").orElseThrow().getReason()).isEqualTo("WorkersExitedEarly");
    }

    @Test
    void progressIsCheckpointedIntoTheStatus() {
        WorkerClient worker = startJob(6, 2);

        Batch batch = worker.lease().getBatch();
        worker.complete(batch, List.of("{\"a\":1}"));

        CrawlJob checkpointed = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getBatches() != null
                && c.getStatus().getBatches().getDone() == 1);
        assertThat(checkpointed.getStatus().getItems()).isEqualTo(1);
        assertThat(checkpointed.getStatus().getSlots()).anySatisfy(slot -> {
            assertThat(slot.getSlot()).isEqualTo(batch.getRef().getSlot());
            assertThat(slot.getWatermark()).isEqualTo(batch.getRef().getNumber() == 0 ? 1 : 0);
        });
        assertThat(checkpointed.getStatus().getPhase()).isNotIn(CrawlJobPhase.Succeeded, CrawlJobPhase.Failed);
    }

    /** A job with {@code seeds} requests in batches of {@code batchSize}, in one slot, with its token. */
    private WorkerClient startJob(int seeds, int batchSize) {
        return OneSlotCrawlJob.start(cluster, channel, seeds, batchSize);
    }

    private CrawlJobName job() {
        return OneSlotCrawlJob.job(cluster);
    }
}
