package io.kubecrawl.operator.frontier.discovered;

import static io.kubecrawl.operator.frontier.discovered.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.BatchOutcome;
import io.kubecrawl.operator.frontier.DiscoveredWork;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.LeaseOutcome;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frontier whose spider's requests come back to it, on the real store: seeds first, then batches cut from what the
 * completions committed, once per batch however often it is reported, and rebuilt from the store after a restart.
 */
class FrontierWithDiscoveredRequestsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T06:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final FrontierSettings ONE_LEASE_PER_SLOT = new FrontierSettings(2, LEASE, 2,
            Duration.ofMillis(500), 1);
    private static final JobKey JOB = JobKey.of("crawls", "links", "uid-1");

    @TempDir
    Path directory;
    DiscoveredRequestStore store;

    @BeforeEach
    void open() {
        store = DiscoveredRequestStore.open(directory);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void requestsFoundByASeedBatchAreLeasedOnceTheSeedsAreUsedUpAndTheJobDrainsWhenTheyAreDone() {
        FrontierLayout layout = seeds(1, "https://a.test/");
        Frontier frontier = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));

        BatchId seedBatch = granted(frontier.lease("w-1", T0)).lease().batch();
        assertThat(frontier.complete(seedBatch, "w-1",
                List.of(request("https://a.test/1"), request("https://a.test/2")), T0))
                .isEqualTo(BatchOutcome.COMPLETED);
        assertThat(frontier.isDrained()).as("two requests queued").isFalse();

        LeaseOutcome.Granted discovered = granted(frontier.lease("w-1", T0));
        assertThat(discovered.lease().batch().number()).isGreaterThanOrEqualTo(Frontier.FIRST_DISCOVERED_BATCH);
        assertThat(discovered.requests()).extracting(SeedRequest::url)
                .containsExactly("https://a.test/1", "https://a.test/2");
        assertThat(discovered.requests().get(0).line()).as("the request as the spider sent it")
                .isEqualTo(request("https://a.test/1").getRequest());
        assertThat(frontier.counters().getTotal()).isEqualTo(2);

        assertThat(frontier.complete(discovered.lease().batch(), "w-1", List.of(request("https://a.test/1")), T0))
                .as("a link back to a page fetched already").isEqualTo(BatchOutcome.COMPLETED);
        assertThat(frontier.isDrained()).isTrue();
        DiscoveredRequestsStatus status = frontier.discoveredStatus();
        assertThat(status.getDiscovered()).isEqualTo(3);
        assertThat(status.getDone()).isEqualTo(2);
        assertThat(status.getDuplicates()).isEqualTo(1);
        assertThat(status.getFiltered()).isEqualTo(1);
        assertThat(status.getQueued()).isZero();
        assertThat(status.getBatches()).isEqualTo(1);
        assertThat(frontier.counters().getDone()).isEqualTo(2);
    }

    @Test
    void aBatchReportedTwiceAddsItsRequestsOnceAndALateReportOfADiscoveredBatchIsAlreadyFinished() {
        FrontierLayout layout = seeds(1, "https://a.test/");
        Frontier frontier = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));
        BatchId seedBatch = granted(frontier.lease("w-1", T0)).lease().batch();
        List<DiscoveredRequest> found = List.of(request("https://a.test/1"));

        frontier.complete(seedBatch, "w-1", found, T0);
        assertThat(frontier.complete(seedBatch, "w-2", found, T0)).isEqualTo(BatchOutcome.ALREADY_FINISHED);
        BatchId discovered = granted(frontier.lease("w-1", T0)).lease().batch();
        frontier.complete(discovered, "w-1", List.of(), T0);

        assertThat(frontier.complete(discovered, "w-2", List.of(request("https://a.test/9")), T0))
                .isEqualTo(BatchOutcome.ALREADY_FINISHED);
        assertThat(frontier.isFinished(discovered)).isTrue();
        assertThat(store.counts(JOB).discovered()).isEqualTo(1);
    }

    @Test
    void aLinkToASeedIsADuplicateOfTheSeed() {
        FrontierLayout layout = seeds(1, "https://a.test/", "https://b.test/");
        Frontier frontier = Frontier.fresh(layout, new FrontierSettings(2, LEASE, 2, Duration.ofMillis(500), 1),
                work(layout));
        BatchId seedBatch = granted(frontier.lease("w-1", T0)).lease().batch();

        frontier.complete(seedBatch, "w-1", List.of(request("https://b.test/"), request("https://b.test/x")), T0);

        assertThat(store.counts(JOB).duplicatesDropped()).isEqualTo(1);
        assertThat(store.counts(JOB).queued()).isEqualTo(1);
    }

    @Test
    void oneLeasePerSlotKeepsASecondWorkerOffTheSlotWhileTheFirstHoldsABatch() {
        FrontierLayout layout = seeds(1, "https://a.test/1", "https://a.test/2", "https://a.test/3");
        Frontier frontier = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));

        BatchId first = granted(frontier.lease("w-1", T0)).lease().batch();
        assertThat(frontier.lease("w-1", T0)).as("the worker's own slot is full").isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(frontier.lease("w-2", T0)).isInstanceOf(LeaseOutcome.Wait.class);

        frontier.complete(first, "w-1", List.of(), T0);
        assertThat(frontier.lease("w-2", T0)).as("the owner is alive, but holds nothing of the slot any more")
                .isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(frontier.lease("w-1", T0)).isInstanceOf(LeaseOutcome.Granted.class);
    }

    @Test
    void afterARestartAnOpenDiscoveredBatchIsGivenBackToTheWorkerThatPresentsItAndItsCompletionCountsOnce() {
        FrontierLayout layout = seeds(1, "https://a.test/");
        Frontier before = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));
        BatchId seedBatch = granted(before.lease("w-1", T0)).lease().batch();
        before.complete(seedBatch, "w-1", List.of(request("https://a.test/1")), T0);
        BatchId discovered = granted(before.lease("w-1", T0)).lease().batch();
        List<SlotProgress> recorded = before.progress();
        long recordedSequence = store.checkpoint(JOB).commitSequence();

        Frontier after = Frontier.restore(layout, ONE_LEASE_PER_SLOT, recorded, layout.seedsDigest(), true,
                work(layout), recordedSequence);

        assertThat(after.isDrained()).isFalse();
        assertThat(after.lease("w-2", T0)).as("grace period").isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(after.renew("w-1", Set.of(discovered), T0)).containsExactly(discovered);
        assertThat(after.complete(discovered, "w-1", List.of(request("https://a.test/2")), T0))
                .isEqualTo(BatchOutcome.COMPLETED);
        BatchId next = granted(after.lease("w-1", T0.plus(LEASE))).lease().batch();
        assertThat(after.complete(next, "w-1", List.of(), T0.plus(LEASE))).isEqualTo(BatchOutcome.COMPLETED);
        assertThat(after.isDrained()).isTrue();
        assertThat(store.counts(JOB).done()).isEqualTo(2);
    }

    @Test
    void aSeedBatchRedoneAfterACrashBeforeTheStatusCheckpointAddsNothingTwice() {
        FrontierLayout layout = seeds(1, "https://a.test/");
        Frontier before = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));
        BatchId seedBatch = granted(before.lease("w-1", T0)).lease().batch();
        before.complete(seedBatch, "w-1", List.of(request("https://a.test/1")), T0);

        // The status was never written: the rebuilt frontier runs the seed batch again.
        Frontier after = Frontier.restore(layout, ONE_LEASE_PER_SLOT, List.of(), null, false, work(layout), null);
        BatchId again = granted(after.lease("w-2", T0)).lease().batch();
        assertThat(again).isEqualTo(seedBatch);
        after.complete(again, "w-2", List.of(request("https://a.test/1")), T0);

        assertThat(store.counts(JOB).discovered()).isEqualTo(1);
        assertThat(store.counts(JOB).queued()).isEqualTo(1);
    }

    @Test
    void aDiscoveredBatchThatFailsEveryAttemptIsGivenUpAndLeavesTheStore() {
        FrontierLayout layout = seeds(1, "https://a.test/");
        Frontier frontier = Frontier.fresh(layout, ONE_LEASE_PER_SLOT, work(layout));
        frontier.complete(granted(frontier.lease("w-1", T0)).lease().batch(), "w-1",
                List.of(request("https://a.test/1")), T0);

        BatchId discovered = granted(frontier.lease("w-1", T0)).lease().batch();
        assertThat(frontier.fail(discovered, "w-1", "exit 1", T0)).isEqualTo(BatchOutcome.RETRYING);
        assertThat(granted(frontier.lease("w-1", T0)).lease().batch()).isEqualTo(discovered);
        assertThat(frontier.fail(discovered, "w-1", "exit 1", T0)).isEqualTo(BatchOutcome.GAVE_UP);

        assertThat(frontier.isDrained()).isTrue();
        assertThat(frontier.counters().getFailed()).isEqualTo(1);
        assertThat(frontier.unreportedGivenUp()).hasSize(1);
        assertThat(store.openBatches(JOB)).isEmpty();
    }

    @Test
    void aStoreBehindTheStatusFailsTheRebuild() {
        FrontierLayout layout = seeds(1, "https://a.test/");

        assertThatThrownBy(() -> Frontier.restore(layout, ONE_LEASE_PER_SLOT, List.of(), layout.seedsDigest(), true,
                work(layout), 7L))
                .isInstanceOf(StoreBehindStatusException.class)
                .hasMessageContaining("commit sequence 7");
    }

    private DiscoveredWork work(FrontierLayout layout) {
        return new StoredDiscoveredWork(store, JOB, CrawlScope.UNLIMITED, Partitioning.Host, layout);
    }

    private static FrontierLayout seeds(int slots, String... urls) {
        return FrontierLayout.of(java.util.Arrays.stream(urls).map(url -> new SeedRequest(url, url)).toList(),
                Partitioning.Host, slots, 2);
    }

    private static LeaseOutcome.Granted granted(LeaseOutcome outcome) {
        assertThat(outcome).isInstanceOf(LeaseOutcome.Granted.class);
        return (LeaseOutcome.Granted) outcome;
    }
}
