package io.kubecrawl.operator.frontier.discovered;

import static io.kubecrawl.operator.frontier.discovered.TestRequests.ONE_SLOT;
import static io.kubecrawl.operator.frontier.discovered.TestRequests.dontFilter;
import static io.kubecrawl.operator.frontier.discovered.TestRequests.fingerprint;
import static io.kubecrawl.operator.frontier.discovered.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.InconsistentFrontierException;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveredRequestStoreTest {

    private static final JobKey JOB = JobKey.of("crawls", "books", "0f6a2c1e-1111-4c3a-9d1e-000000000001");
    private static final JobKey OTHER = JobKey.of("crawls", "quotes", "0f6a2c1e-2222-4c3a-9d1e-000000000002");

    @TempDir
    Path directory;
    private DiscoveredRequestStore store;

    @BeforeEach
    void open() {
        store = DiscoveredRequestStore.open(directory);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aFingerprintSeenBeforeOrEarlierInTheSameCompletionIsDroppedAsADuplicate() {
        CommitResult first = commit(JOB, new BatchId(0, 0), request("https://a.test/1"), request("https://a.test/2"),
                request("https://a.test/1"));
        CommitResult second = commit(JOB, new BatchId(0, 1), request("https://a.test/2"), request("https://a.test/3"));

        assertThat(first).isEqualTo(new CommitResult(CommitResult.Outcome.COMMITTED, 2, 1, 0, 1));
        assertThat(second).isEqualTo(new CommitResult(CommitResult.Outcome.COMMITTED, 1, 1, 0, 2));
        assertThat(urls(drain(JOB, 10))).containsExactly("https://a.test/1", "https://a.test/2", "https://a.test/3");
        assertThat(store.counts(JOB)).isEqualTo(new DiscoveredCounts(5, 2, 0, 0, 3, 0, 2 + 1));
    }

    @Test
    void aDontFilterRequestIsQueuedEvenWhenSeenAndDoesNotMarkItsFingerprintSeen() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/login"));

        CommitResult again = commit(JOB, new BatchId(0, 1), dontFilter("https://a.test/login"),
                dontFilter("https://a.test/login"), dontFilter("https://a.test/form"));
        CommitResult afterIt = commit(JOB, new BatchId(0, 2), request("https://a.test/form"));

        assertThat(again.accepted()).isEqualTo(3);
        assertThat(again.duplicates()).isZero();
        // As in Scrapy's scheduler: dont_filter skips the dupefilter, which then never records the fingerprint.
        assertThat(afterIt.accepted()).isEqualTo(1);
        assertThat(urls(drain(JOB, 10))).containsExactly("https://a.test/login", "https://a.test/login",
                "https://a.test/login", "https://a.test/form", "https://a.test/form");
    }

    @Test
    void seedsMarkedSeenAreNotFetchedAgain() {
        store.markSeen(JOB, List.of(fingerprint("https://a.test/"), fingerprint("https://b.test/")));

        CommitResult result = commit(JOB, new BatchId(0, 0), request("https://a.test/"), request("https://a.test/x"));

        assertThat(result.accepted()).isEqualTo(1);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(store.counts(JOB).commitSequence()).isEqualTo(2);
    }

    @Test
    void aSlotIsLeasedByPriorityHigherFirstThenInArrivalOrder() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/low-1", -5, 1), request("https://a.test/mid-1", 0, 1),
                request("https://a.test/high-1", 10, 1), request("https://a.test/min", Integer.MIN_VALUE, 1));
        commit(JOB, new BatchId(0, 1), request("https://a.test/mid-2", 0, 1), request("https://a.test/high-2", 10, 1),
                request("https://a.test/max", Integer.MAX_VALUE, 1), request("https://a.test/low-2", -5, 1));

        List<DiscoveredBatch> batches = drain(JOB, 3);

        assertThat(batches).extracting(batch -> batch.requests().size()).containsExactly(3, 3, 2);
        assertThat(urls(batches)).containsExactly("https://a.test/max", "https://a.test/high-1",
                "https://a.test/high-2", "https://a.test/mid-1", "https://a.test/mid-2", "https://a.test/low-1",
                "https://a.test/low-2", "https://a.test/min");
    }

    @Test
    void aRequestQueuedAfterACutAheadOfTheCutPositionIsLeasedNext() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"), request("https://a.test/2"),
                request("https://a.test/3"));
        assertThat(urls(List.of(store.cutBatch(JOB, 0, 1).orElseThrow()))).containsExactly("https://a.test/1");

        commit(JOB, new BatchId(0, 1), request("https://a.test/urgent", 5, 1));

        assertThat(urls(drain(JOB, 1))).containsExactly("https://a.test/urgent", "https://a.test/2",
                "https://a.test/3");
    }

    @Test
    void requestsGoToTheSlotTheCallerGivesAndSlotsAreLeasedApart() {
        commit(JOB, new BatchId(0, 0), TestRequests.byHost(2), request("https://a.test/1"), request("https://b.test/1"),
                request("https://a.test/2"), request("https://b.test/2"));
        int slotOfA = TestRequests.byHost(2).applyAsInt(request("https://a.test/"));
        int slotOfB = TestRequests.byHost(2).applyAsInt(request("https://b.test/"));

        assertThat(slotOfA).isNotEqualTo(slotOfB);
        assertThat(store.queuedBySlot(JOB)).containsOnly(Map.entry(slotOfA, 2L), Map.entry(slotOfB, 2L));
        DiscoveredBatch a = store.cutBatch(JOB, slotOfA, 10).orElseThrow();
        assertThat(a.id().slot()).isEqualTo(slotOfA);
        assertThat(urls(List.of(a))).containsExactly("https://a.test/1", "https://a.test/2");
        assertThat(store.queuedBySlot(JOB)).containsOnly(Map.entry(slotOfB, 2L));
        assertThat(store.cutBatch(JOB, 7, 10)).isEmpty();
    }

    @Test
    void aCompletionCommittedTwiceChangesNothingTheSecondTime() {
        BatchId batch = new BatchId(3, 17);
        CommitResult first = commit(JOB, batch, request("https://a.test/1"), request("https://a.test/2"));
        DiscoveredCounts afterFirst = store.counts(JOB);

        CommitResult second = commit(JOB, batch, request("https://a.test/3"), request("https://a.test/4"));

        assertThat(first.changed()).isTrue();
        assertThat(second).isEqualTo(new CommitResult(CommitResult.Outcome.ALREADY_COMMITTED, 0, 0, 0,
                afterFirst.commitSequence()));
        assertThat(store.counts(JOB)).isEqualTo(afterFirst);
        assertThat(urls(drain(JOB, 10))).containsExactly("https://a.test/1", "https://a.test/2");
    }

    @Test
    void completingACutBatchRemovesItAndCountsItsRequestsDoneOnce() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"), request("https://a.test/2"));
        DiscoveredBatch batch = store.cutBatch(JOB, 0, 10).orElseThrow();
        assertThat(batch.id().number()).isEqualTo(DiscoveredRequestStore.FIRST_DISCOVERED_BATCH);
        assertThat(store.counts(JOB)).extracting(DiscoveredCounts::queued, DiscoveredCounts::leased)
                .containsExactly(0L, 2L);

        CommitResult done = commit(JOB, batch.id(), request("https://a.test/3"));
        CommitResult late = commit(JOB, batch.id(), request("https://a.test/4"));

        assertThat(done.changed()).isTrue();
        assertThat(late.outcome()).isEqualTo(CommitResult.Outcome.ALREADY_COMMITTED);
        assertThat(store.openBatches(JOB)).isEmpty();
        DiscoveredCounts counts = store.counts(JOB);
        assertThat(counts).extracting(DiscoveredCounts::queued, DiscoveredCounts::leased, DiscoveredCounts::done)
                .containsExactly(1L, 0L, 2L);
        assertInvariant(counts);
    }

    @Test
    void aDiscoveredBatchNumberNeverCutIsUnknownAndChangesNothing() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"));
        DiscoveredBatch batch = store.cutBatch(JOB, 0, 10).orElseThrow();
        DiscoveredCounts before = store.counts(JOB);

        CommitResult neverCut = commit(JOB, new BatchId(0, batch.id().number() + 1), request("https://a.test/2"));
        CommitResult otherSlot = commit(JOB, new BatchId(1, batch.id().number()), request("https://a.test/2"));

        assertThat(neverCut.outcome()).isEqualTo(CommitResult.Outcome.UNKNOWN_BATCH);
        assertThat(otherSlot.outcome()).isEqualTo(CommitResult.Outcome.UNKNOWN_BATCH);
        assertThat(store.counts(JOB)).isEqualTo(before);
        assertThat(store.openBatches(JOB)).containsExactly(batch);
    }

    @Test
    void theScopeRefusesTooDeepOffDomainAndUnmatchedRequests() {
        CrawlScope scope = CrawlScope.of(2, 0, List.of("books.test"), List.of("/catalogue/"));

        CommitResult result = store.commitCompletion(JOB, new BatchId(0, 0), List.of(
                request("https://books.test/catalogue/1", 0, 2),
                request("https://books.test/catalogue/2", 0, 3),
                request("https://www.books.test/catalogue/3", 0, 1),
                request("https://elsewhere.test/catalogue/4", 0, 1),
                request("https://books.test/about", 0, 1)), scope, ONE_SLOT);

        assertThat(result.accepted()).isEqualTo(2);
        assertThat(result.outOfScope()).isEqualTo(3);
        assertThat(urls(drain(JOB, 10))).containsExactly("https://books.test/catalogue/1",
                "https://www.books.test/catalogue/3");
        assertInvariant(store.counts(JOB));
    }

    @Test
    void requestsOverMaxRequestsAreOutOfScopeAndDuplicatesDoNotUseTheAllowance() {
        CrawlScope scope = CrawlScope.of(0, 3, List.of(), List.of());

        CommitResult first = store.commitCompletion(JOB, new BatchId(0, 0), List.of(request("https://a.test/1"),
                request("https://a.test/1"), request("https://a.test/2")), scope, ONE_SLOT);
        CommitResult second = store.commitCompletion(JOB, new BatchId(0, 1), List.of(request("https://a.test/2"),
                request("https://a.test/3"), request("https://a.test/4"), dontFilter("https://a.test/5")), scope,
                ONE_SLOT);

        assertThat(first).extracting(CommitResult::accepted, CommitResult::duplicates, CommitResult::outOfScope)
                .containsExactly(2, 1, 0);
        assertThat(second).extracting(CommitResult::accepted, CommitResult::duplicates, CommitResult::outOfScope)
                .containsExactly(1, 1, 2);
        assertThat(store.counts(JOB).accepted()).isEqualTo(3);
        // A request refused for the limit was not marked seen: only what was accepted was.
        store.cutBatch(JOB, 0, 10).orElseThrow();
        CommitResult raised = store.commitCompletion(JOB, new BatchId(0, 2), List.of(request("https://a.test/4")),
                CrawlScope.UNLIMITED, ONE_SLOT);
        assertThat(raised.accepted()).isEqualTo(1);
    }

    @Test
    void maxRequestsIsExactWhenManyCompletionsArriveAtOnce() throws Exception {
        CrawlScope scope = CrawlScope.of(0, 333, List.of(), List.of());
        int threads = 8;
        int batchesPerThread = 25;
        int requestsPerBatch = 20;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> accepted = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                accepted.add(executor.submit(() -> {
                    start.await();
                    int sum = 0;
                    for (int b = 0; b < batchesPerThread; b++) {
                        int number = thread * batchesPerThread + b;
                        List<DiscoveredRequest> requests = IntStream.range(0, requestsPerBatch)
                                .mapToObj(r -> request("https://a.test/" + number + "/" + r)).toList();
                        sum += store.commitCompletion(JOB, new BatchId(0, number), requests, scope,
                                TestRequests.byHost(4)).accepted();
                    }
                    return sum;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> future : accepted) {
                total += future.get();
            }
            assertThat(total).isEqualTo(333);
        } finally {
            executor.shutdownNow();
        }
        DiscoveredCounts counts = store.counts(JOB);
        assertThat(counts.discovered()).isEqualTo((long) threads * batchesPerThread * requestsPerBatch);
        assertThat(counts.queued()).isEqualTo(333);
        assertThat(counts.outOfScope()).isEqualTo(counts.discovered() - 333);
        assertThat(counts.commitSequence()).isEqualTo(threads * batchesPerThread);
        long cut = 0;
        for (int slot : store.queuedBySlot(JOB).keySet()) {
            cut += drain(JOB, slot, 50).stream().mapToInt(batch -> batch.requests().size()).sum();
        }
        assertThat(cut).isEqualTo(333);
    }

    @Test
    void everythingSurvivesCloseAndReopenAndCutBatchesAreListedOpen() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1", 1, 1), request("https://a.test/2"),
                request("https://a.test/3"), request("https://a.test/4"));
        DiscoveredBatch leased = store.cutBatch(JOB, 0, 2).orElseThrow();
        DiscoveredCounts before = store.counts(JOB);

        store.close();
        store = DiscoveredRequestStore.open(directory);

        assertThat(store.counts(JOB)).isEqualTo(before);
        assertThat(store.openBatches(JOB)).containsExactly(leased);
        assertThat(store.queuedBySlot(JOB)).containsExactly(Map.entry(0, 2L));
        assertThat(commit(JOB, new BatchId(0, 0), request("https://a.test/5")).outcome())
                .isEqualTo(CommitResult.Outcome.ALREADY_COMMITTED);
        assertThat(commit(JOB, new BatchId(0, 1), request("https://a.test/1")).duplicates()).isEqualTo(1);
        DiscoveredBatch next = store.cutBatch(JOB, 0, 10).orElseThrow();
        assertThat(next.id().number()).isEqualTo(leased.id().number() + 1);
        assertThat(urls(List.of(next))).containsExactly("https://a.test/3", "https://a.test/4");
        assertThat(commit(JOB, leased.id()).changed()).isTrue();
        assertThat(store.openBatches(JOB)).containsExactly(next);
        assertThat(store.jobs()).containsExactly(JOB);
    }

    @Test
    void deleteJobRemovesEverythingOfTheJobAndNothingOfAnother() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"), request("https://a.test/2"));
        commit(OTHER, new BatchId(0, 0), request("https://a.test/1"));
        store.cutBatch(JOB, 0, 1).orElseThrow();
        DiscoveredCounts other = store.counts(OTHER);

        store.deleteJob(JOB);

        assertThat(store.counts(JOB)).isEqualTo(DiscoveredCounts.NONE);
        assertThat(store.openBatches(JOB)).isEmpty();
        assertThat(store.queuedBySlot(JOB)).isEmpty();
        assertThat(store.jobs()).containsExactly(OTHER);
        assertThat(store.counts(OTHER)).isEqualTo(other);
        // The same job key starts again from nothing: its batch completions and fingerprints are gone too.
        CommitResult again = commit(JOB, new BatchId(0, 0), request("https://a.test/1"));
        assertThat(again.outcome()).isEqualTo(CommitResult.Outcome.COMMITTED);
        assertThat(again.accepted()).isEqualTo(1);
        store.close();
        store = DiscoveredRequestStore.open(directory);
        assertThat(store.counts(JOB).discovered()).isEqualTo(1);
        assertThat(store.counts(OTHER)).isEqualTo(other);
    }

    @Test
    void twoJobsNeverSeeEachOthersFingerprintsQueuesOrBatches() {
        JobKey sameNameNewUid = JobKey.of("crawls", "books", "0f6a2c1e-3333-4c3a-9d1e-000000000003");
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"), request("https://a.test/2"));

        CommitResult other = commit(OTHER, new BatchId(0, 0), request("https://a.test/1"));
        CommitResult recreated = commit(sameNameNewUid, new BatchId(0, 0), request("https://a.test/2"));

        assertThat(other.accepted()).isEqualTo(1);
        assertThat(recreated.accepted()).isEqualTo(1);
        assertThat(urls(drain(OTHER, 10))).containsExactly("https://a.test/1");
        assertThat(store.openBatches(JOB)).isEmpty();
        assertThat(store.counts(JOB).queued()).isEqualTo(2);
        assertThat(store.counts(sameNameNewUid).queued()).isEqualTo(1);
        assertThat(store.jobs()).containsExactlyInAnyOrder(JOB, OTHER, sameNameNewUid);
    }

    @Test
    void aStoreBehindTheStatusSaysSoAndOneAheadIsFine() {
        commit(JOB, new BatchId(0, 0), request("https://a.test/1"));
        commit(JOB, new BatchId(0, 1), request("https://a.test/2"));
        long recorded = store.checkpoint(JOB).commitSequence();
        commit(JOB, new BatchId(0, 2), request("https://a.test/3"));

        store.checkNotBehind(JOB, recorded);

        assertThatThrownBy(() -> store.checkNotBehind(JOB, recorded + 5))
                .isInstanceOf(StoreBehindStatusException.class)
                .isInstanceOf(InconsistentFrontierException.class)
                .hasMessageContaining("crawls/books")
                .hasMessageContaining("recorded commit sequence 7 but the store holds only 3");
        assertThatThrownBy(() -> store.checkNotBehind(OTHER, 1))
                .isInstanceOfSatisfying(StoreBehindStatusException.class, e -> {
                    assertThat(e.storeSequence()).isZero();
                    assertThat(e.statusSequence()).isEqualTo(1);
                });
    }

    @Test
    void aRequestWithoutFingerprintIsRefusedAndNothingOfItsCompletionIsCommitted() {
        DiscoveredRequest unfingerprinted = request("https://a.test/2").toBuilder().clearFingerprint().build();

        assertThatThrownBy(() -> commit(JOB, new BatchId(0, 0), request("https://a.test/1"), unfingerprinted))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://a.test/2");

        assertThat(store.counts(JOB)).isEqualTo(DiscoveredCounts.NONE);
        assertThat(store.jobs()).isEmpty();
        assertThat(commit(JOB, new BatchId(0, 0), request("https://a.test/1")).accepted()).isEqualTo(1);
    }

    @Test
    void aClosedStoreRefusesCalls() {
        store.close();

        assertThatThrownBy(() -> store.counts(JOB)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private CommitResult commit(JobKey job, BatchId batch, DiscoveredRequest... requests) {
        return commit(job, batch, ONE_SLOT, requests);
    }

    private CommitResult commit(JobKey job, BatchId batch, ToIntFunction<DiscoveredRequest> slots,
            DiscoveredRequest... requests) {
        return store.commitCompletion(job, batch, List.of(requests), CrawlScope.UNLIMITED, slots);
    }

    private List<DiscoveredBatch> drain(JobKey job, int maxSize) {
        return drain(job, 0, maxSize);
    }

    private List<DiscoveredBatch> drain(JobKey job, int slot, int maxSize) {
        List<DiscoveredBatch> batches = new ArrayList<>();
        Optional<DiscoveredBatch> batch;
        while ((batch = store.cutBatch(job, slot, maxSize)).isPresent()) {
            batches.add(batch.get());
        }
        return batches;
    }

    private static List<String> urls(List<DiscoveredBatch> batches) {
        return batches.stream().flatMap(batch -> batch.requests().stream()).map(DiscoveredRequest::getUrl).toList();
    }

    private static void assertInvariant(DiscoveredCounts counts) {
        assertThat(counts.discovered()).isEqualTo(counts.duplicatesDropped() + counts.outOfScope() + counts.queued()
                + counts.leased() + counts.done());
    }
}
