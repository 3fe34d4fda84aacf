package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.JobLimits;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * An operator restart while workers run batches: the rebuilt frontier leases nothing for one renewal interval, a
 * worker that presents its batch on Renew keeps it, and only a batch nobody presented is leased again. The restart is
 * {@link FrontierRegistry#forgetAll()}; the jobs here have a 10 s lease, so the grace period lasts about 9 s of real
 * time.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlJobRestartLeasesTest extends WorkerChannelTest {

    private static final String NAME = "crawl";
    private static final int LEASE_SECONDS = 10;
    /** Longer than the grace period of a 10 s lease (2 x 10/3 s + 2 s), with room for a busy machine. */
    private static final Duration GRACE_TIMEOUT = Duration.ofSeconds(40);

    @Inject
    ItemStore items;

    @Inject
    FrontierRegistry frontiers;

    @Test
    void aWorkerRenewingAcrossTheRestartKeepsItsBatchAndNoOtherWorkerRunsIt() {
        // Two slots: the other worker has work of its own once the grace period is over.
        WorkerClient first = startJob(12, 2, Partitioning.Url, 2);
        Batch kept = first.lease().getBatch();

        frontiers.forgetAll();
        await().atMost(MockCluster.TIMEOUT).until(() -> frontiers.find(job()).isPresent());
        WorkerClient second = worker("worker-2");

        assertThat(first.renew(kept).getHeldList()).as("renewed after the restart").containsExactly(kept.getRef());
        assertThat(frontiers.find(job()).orElseThrow().reestablishedLeases()).isEqualTo(1);
        AtomicInteger waits = new AtomicInteger();
        AtomicReference<Batch> other = new AtomicReference<>();
        await("worker-2 gets a batch").atMost(GRACE_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            // worker-1 renews as its agent does, more often than a third of the lease.
            assertThat(first.renew(kept).getHeldList()).containsExactly(kept.getRef());
            LeaseReply reply = second.lease();
            if (reply.hasWait()) {
                waits.incrementAndGet();
            }
            other.set(reply.hasBatch() ? reply.getBatch() : null);
            return reply.hasBatch();
        });
        assertThat(waits).as("worker-2 waited out the grace period").hasPositiveValue();
        assertThat(other.get().getRef()).isNotEqualTo(kept.getRef());
        assertThat(other.get().getRef().getSlot()).isNotEqualTo(kept.getRef().getSlot());

        assertThat(first.complete(kept, List.of("{\"batch\":\"kept\"}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);
        assertThat(second.complete(other.get(), List.of("{\"batch\":\"other\"}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);
        List<BatchRef> leasedToSecond = new ArrayList<>(List.of(other.get().getRef()));
        drainTogether(first, second, leasedToSecond);

        assertThat(leasedToSecond).doesNotContain(kept.getRef());
        CrawlJob finished = cluster.awaitCrawlJob(NAME, c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        int total = finished.getStatus().getBatches().getTotal();
        assertThat(finished.getStatus().getBatches().getDone()).isEqualTo(total);
        assertThat(outputLines()).hasSize(total).containsOnlyOnce("{\"batch\":\"kept\"}");
    }

    @Test
    void aBatchWhoseWorkerDoesNotRenewIsLeasedAgainAfterTheGracePeriodAndItsLateCompletionIsAccepted() {
        WorkerClient before = startJob(6, 2, Partitioning.None, 1);
        Batch done = before.lease().getBatch();
        before.complete(done, List.of("{\"batch\":\"done\"}"));
        cluster.awaitCrawlJob(NAME, c -> c.getStatus().getBatches().getDone() == 1);
        Batch inFlight = before.lease().getBatch();

        frontiers.forgetAll();
        await().atMost(MockCluster.TIMEOUT).until(() -> frontiers.find(job()).isPresent());
        WorkerClient after = worker("worker-2");

        assertThat(after.lease().hasWait()).as("the rebuilt frontier waits for renewals first").isTrue();
        // worker-1 never renews: after the grace period its batch is leased again; the done one is not.
        Batch redo = await("worker-2 gets a batch").atMost(GRACE_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(after::lease, LeaseReply::hasBatch).getBatch();
        assertThat(redo.getRef()).isEqualTo(inFlight.getRef());
        assertThat(frontiers.find(job()).orElseThrow().reestablishedLeases()).isZero();
        // A late completion from the worker of the earlier life is accepted; a second one is ignored.
        assertThat(before.complete(inFlight, List.of("{\"batch\":\"late\"}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.COMPLETED);
        assertThat(before.complete(inFlight, List.of("{\"batch\":\"late\"}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);
        assertThat(after.complete(redo, List.of("{\"batch\":\"redo\"}")).getOutcome())
                .isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);
        List<BatchRef> leasedAfter = new ArrayList<>();
        after.drain(batch -> {
            leasedAfter.add(batch.getRef());
            after.complete(batch, List.of("{\"batch\":\"rest\"}"));
        });

        assertThat(leasedAfter).doesNotContain(done.getRef(), inFlight.getRef());
        CrawlJob finished = cluster.awaitCrawlJob(NAME, c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        assertThat(finished.getStatus().getItems()).isEqualTo(3);
        assertThat(outputLines()).containsExactlyInAnyOrder("{\"batch\":\"done\"}", "{\"batch\":\"late\"}",
                "{\"batch\":\"rest\"}");
    }

    /** Both workers lease and complete until each hears that the frontier is drained. */
    private static void drainTogether(WorkerClient first, WorkerClient second, List<BatchRef> leasedToSecond) {
        boolean[] drained = new boolean[2];
        await("the frontier drained").atMost(WorkerClient.DRAIN_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    WorkerClient[] workers = {first, second};
                    for (int i = 0; i < 2; i++) {
                        if (drained[i]) {
                            continue;
                        }
                        LeaseReply reply = workers[i].lease();
                        if (reply.hasBatch()) {
                            if (i == 1) {
                                leasedToSecond.add(reply.getBatch().getRef());
                            }
                            workers[i].complete(reply.getBatch(), List.of("{\"batch\":\"rest\"}"));
                        }
                        drained[i] = reply.hasDrained();
                    }
                    return drained[0] && drained[1];
                });
    }

    /**
     * A job of {@code seeds} seed URLs in batches of {@code batchSize}, a 10 s lease and one batch per worker, with
     * its workers' Job, token and first status (which records the seeds' digest) in place; returns "worker-1".
     */
    private WorkerClient startJob(int seeds, int batchSize, Partitioning partitioning, int slots) {
        cluster.configMap("code", java.util.Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        cluster.crawlJob(NAME, "quotes", 2, spec -> {
            spec.setSeeds(IntStream.range(0, seeds).mapToObj(i -> "http://site.test/page/" + i + "/").toList());
            FrontierSpec frontier = new FrontierSpec();
            frontier.setPartitioning(partitioning);
            frontier.setSlots(slots);
            frontier.setBatchSize(batchSize);
            frontier.setLeaseSeconds(LEASE_SECONDS);
            frontier.setMaxBatchesPerWorker(1);
            spec.setFrontier(frontier);
            JobLimits limits = new JobLimits();
            limits.setMaxBatchAttempts(2);
            spec.setLimits(limits);
        });
        cluster.awaitJob(NAME + "-workers", j -> true);
        cluster.awaitCrawlJob(NAME, c -> c.getStatus() != null && c.getStatus().getBatches() != null
                && c.getStatus().getSeedsDigest() != null);
        return worker("worker-1");
    }

    private WorkerClient worker(String name) {
        return new WorkerClient(channel, job(), WorkerClient.token(cluster.awaitSecret(NAME + "-worker-token")),
                name);
    }

    private List<String> outputLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            items.writeTo(job(), out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private CrawlJobName job() {
        return new CrawlJobName(cluster.namespace(), NAME);
    }
}
