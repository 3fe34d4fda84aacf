package io.kubecrawl.operator.frontier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import org.junit.jupiter.api.Test;

class FrontierTest {

    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    private static final FrontierSettings SETTINGS = new FrontierSettings(1, Duration.ofSeconds(30), 3,
            Duration.ofSeconds(1));

    @Test
    void everyBatchIsLeasedOnceAndTheFrontierDrains() {
        FrontierLayout layout = layout(3, 40, 5, Partitioning.Url, 4);
        Frontier frontier = Frontier.fresh(layout, SETTINGS);
        Set<BatchId> seen = new HashSet<>();
        List<SeedRequest> requests = new ArrayList<>();

        LeaseOutcome outcome;
        while ((outcome = frontier.lease("w1", T0)) instanceof LeaseOutcome.Granted) {
            LeaseOutcome.Granted granted = (LeaseOutcome.Granted) outcome;
            assertThat(seen.add(granted.lease().batch())).isTrue();
            requests.addAll(granted.requests());
            assertThat(frontier.complete(granted.lease().batch(), "w1", T0)).isEqualTo(BatchOutcome.COMPLETED);
        }

        // Drained, but not yet in the status: workers are told to wait, never to exit on an unrecorded drain.
        assertThat(outcome).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(frontier.isDrained()).isTrue();
        frontier.markDrainRecorded();
        assertThat(frontier.lease("w1", T0)).isInstanceOf(LeaseOutcome.Drained.class);
        assertThat(seen).hasSize(layout.totalBatches());
        assertThat(requests).hasSize(120).doesNotHaveDuplicates();
        assertThat(frontier.counters().getDone()).isEqualTo(layout.totalBatches());
        assertThat(frontier.progress()).allSatisfy(p -> {
            assertThat(p.getWatermark()).isEqualTo(layout.batchCount(p.getSlot()));
            assertThat(p.getCompleted()).isNull();
        });
    }

    @Test
    void aWorkerHoldsAtMostMaxBatchesPerWorker() {
        Frontier frontier = Frontier.fresh(layout(1, 50, 5, Partitioning.None, 1),
                new FrontierSettings(2, Duration.ofSeconds(30), 3, Duration.ofSeconds(1)));

        assertThat(frontier.lease("w1", T0)).isInstanceOf(LeaseOutcome.Granted.class);
        assertThat(frontier.lease("w1", T0)).isInstanceOf(LeaseOutcome.Granted.class);
        assertThat(frontier.lease("w1", T0)).isInstanceOf(LeaseOutcome.Wait.class);
    }

    @Test
    void aSlotStaysWithItsWorkerWhileItLives() {
        FrontierLayout layout = layout(2, 30, 5, Partitioning.Host, 8);
        Frontier frontier = Frontier.fresh(layout, SETTINGS);

        BatchId first = granted(frontier.lease("w1", T0)).lease().batch();
        frontier.complete(first, "w1", T0);
        BatchId second = granted(frontier.lease("w1", T0)).lease().batch();
        LeaseOutcome other = frontier.lease("w2", T0);

        assertThat(second.slot()).isEqualTo(first.slot());
        assertThat(granted(other).lease().batch().slot()).isNotEqualTo(first.slot());
    }

    @Test
    void aWorkersSecondBatchComesFromAnotherSlotWhileOneHasWork() {
        Frontier frontier = Frontier.fresh(layout(2, 30, 5, Partitioning.Host, 8),
                new FrontierSettings(2, Duration.ofSeconds(30), 3, Duration.ofSeconds(1), 4));

        BatchId first = granted(frontier.lease("w1", T0)).lease().batch();
        BatchId second = granted(frontier.lease("w1", T0)).lease().batch();

        assertThat(second.slot()).isNotEqualTo(first.slot());
    }

    @Test
    void withSeveralLeasesPerSlotAWorkerWithoutASlotSharesAnothersUpToTheLimit() {
        Frontier frontier = Frontier.fresh(layout(1, 50, 5, Partitioning.Host, 8),
                new FrontierSettings(1, Duration.ofSeconds(30), 3, Duration.ofSeconds(1), 2));

        BatchId owners = granted(frontier.lease("w1", T0)).lease().batch();
        BatchId shared = granted(frontier.lease("w2", T0)).lease().batch();
        LeaseOutcome third = frontier.lease("w3", T0);

        assertThat(shared.slot()).isEqualTo(owners.slot());
        assertThat(shared).isNotEqualTo(owners);
        assertThat(third).as("the slot's two leases are taken").isInstanceOf(LeaseOutcome.Wait.class);
    }

    @Test
    void withOneLeasePerSlotAWorkerWithoutASlotWaits() {
        Frontier frontier = Frontier.fresh(layout(1, 50, 5, Partitioning.Host, 8),
                new FrontierSettings(2, Duration.ofSeconds(30), 3, Duration.ofSeconds(1), 1));

        granted(frontier.lease("w1", T0));

        assertThat(frontier.lease("w1", T0)).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(frontier.lease("w2", T0)).isInstanceOf(LeaseOutcome.Wait.class);
    }

    @Test
    void expiredLeaseReturnsTheBatchWithoutCountingAFailure() {
        Frontier frontier = Frontier.fresh(layout(1, 10, 5, Partitioning.None, 1), SETTINGS);
        BatchId batch = granted(frontier.lease("dead", T0)).lease().batch();

        LeaseOutcome.Granted again = granted(frontier.lease("alive", T0.plusSeconds(31)));

        assertThat(again.lease().batch()).isEqualTo(batch);
        assertThat(again.lease().attempt()).isEqualTo(2);
        // A stopped or lost worker is not the batch's fault: no failed attempt is recorded against it.
        assertThat(frontier.progress()).isEmpty();
        assertThat(frontier.counters().getFailed()).isZero();
    }

    @Test
    void renewalKeepsTheLeaseAndALostLeaseIsReported() {
        Frontier frontier = Frontier.fresh(layout(1, 10, 5, Partitioning.None, 1), SETTINGS);
        BatchId batch = granted(frontier.lease("w1", T0)).lease().batch();

        assertThat(frontier.renew("w1", Set.of(batch), T0.plusSeconds(20))).containsExactly(batch);
        // Renewed until T0+50: the only slot stays with its living owner.
        assertThat(frontier.lease("w2", T0.plusSeconds(45))).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(frontier.renew("w1", Set.of(batch), T0.plusSeconds(49))).containsExactly(batch);

        // Not renewed after T0+49: at T0+80 the lease is gone and the batch goes to another worker.
        assertThat(granted(frontier.lease("w2", T0.plusSeconds(80))).lease().batch()).isEqualTo(batch);
        assertThat(frontier.renew("w1", Set.of(batch), T0.plusSeconds(81))).isEmpty();
    }

    @Test
    void aLapsedLeaseNobodyTookIsKeptByItsWorkerOnRenew() {
        Frontier frontier = Frontier.fresh(layout(1, 10, 5, Partitioning.None, 1), SETTINGS);
        BatchId batch = granted(frontier.lease("w1", T0)).lease().batch();
        // The worker could not reach the operator for longer than its lease; the lease expired at the checkpoint.
        frontier.expireLeases(T0.plusSeconds(31));
        assertThat(frontier.leases()).isEmpty();

        // Nobody took the batch meanwhile, and the worker still runs it: it keeps it.
        assertThat(frontier.renew("w1", Set.of(batch), T0.plusSeconds(40))).containsExactly(batch);
        assertThat(frontier.leases()).singleElement().satisfies(lease -> {
            assertThat(lease.worker()).isEqualTo("w1");
            assertThat(lease.attempt()).isEqualTo(2);
        });
        assertThat(frontier.reestablishedLeases()).isEqualTo(1);
        // Its slot stays with it: the other worker waits.
        assertThat(frontier.lease("w2", T0.plusSeconds(41))).isInstanceOf(LeaseOutcome.Wait.class);
    }

    @Test
    void aLateCompletionOfAFinishedBatchIsAcceptedAndIgnored() {
        Frontier frontier = Frontier.fresh(layout(1, 10, 5, Partitioning.None, 1), SETTINGS);
        BatchId batch = granted(frontier.lease("slow", T0)).lease().batch();
        BatchId same = granted(frontier.lease("fast", T0.plusSeconds(31))).lease().batch();
        assertThat(same).isEqualTo(batch);

        assertThat(frontier.complete(batch, "fast", T0.plusSeconds(40))).isEqualTo(BatchOutcome.COMPLETED);
        assertThat(frontier.complete(batch, "slow", T0.plusSeconds(41))).isEqualTo(BatchOutcome.ALREADY_FINISHED);
        assertThat(frontier.counters().getDone()).isEqualTo(1);
    }

    @Test
    void aBatchFailingMaxAttemptsTimesIsGivenUpAndTheJobGoesOn() {
        Frontier frontier = Frontier.fresh(layout(1, 10, 5, Partitioning.None, 1), SETTINGS);

        List<BatchOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LeaseOutcome.Granted granted = granted(frontier.lease("w1", T0));
            assertThat(granted.lease().batch().number()).isZero();
            assertThat(granted.lease().attempt()).isEqualTo(i + 1);
            outcomes.add(frontier.fail(granted.lease().batch(), "w1", "exit 1: Traceback", T0));
        }
        BatchId next = granted(frontier.lease("w1", T0)).lease().batch();

        assertThat(outcomes).containsExactly(BatchOutcome.RETRYING, BatchOutcome.RETRYING, BatchOutcome.GAVE_UP);
        assertThat(next.number()).isEqualTo(1);
        assertThat(frontier.unreportedGivenUp()).singleElement().satisfies(g -> {
            assertThat(g.attempts()).isEqualTo(3);
            assertThat(g.lastError()).contains("Traceback");
        });
        frontier.reported(frontier.unreportedGivenUp());
        assertThat(frontier.unreportedGivenUp()).isEmpty();
        assertThat(frontier.counters().getFailed()).isEqualTo(1);
        frontier.complete(next, "w1", T0);
        assertThat(frontier.isDrained()).isTrue();
        assertThat(frontier.isDrainRecorded()).isFalse();
        assertThat(frontier.counters().getDone()).isEqualTo(1);
    }

    @Test
    void progressRoundTripsThroughTheStatusAndLeasesDoNot() {
        FrontierLayout layout = layout(3, 60, 5, Partitioning.Url, 4);
        FrontierSettings many = new FrontierSettings(100, Duration.ofSeconds(30), 3, Duration.ofSeconds(1));
        Frontier before = Frontier.fresh(layout, many);
        List<BatchId> completed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            BatchId batch = granted(before.lease("w", T0)).lease().batch();
            if (i % 3 != 0) {
                before.complete(batch, "w", T0);
                completed.add(batch);
            }
        }
        List<SlotProgress> recorded = before.progress();

        Frontier after = Frontier.restore(layout, many, recorded, layout.seedsDigest());

        assertThat(after.progress()).usingRecursiveFieldByFieldElementComparator().isEqualTo(recorded);
        assertThat(after.counters().getDone()).isEqualTo(completed.size());
        assertThat(after.counters().getLeased()).isZero();
        Set<BatchId> leasedAfterRestart = new HashSet<>();
        LeaseOutcome outcome;
        // Once the grace period in which live workers re-establish their leases is over (see RestoredFrontierTest).
        Instant afterGrace = T0.plus(Frontier.restartGrace(many.leaseDuration()));
        after.expireLeases(T0);
        while ((outcome = after.lease("r", afterGrace)) instanceof LeaseOutcome.Granted g) {
            leasedAfterRestart.add(g.lease().batch());
        }
        assertThat(leasedAfterRestart).doesNotContainAnyElementsOf(completed)
                .hasSize(layout.totalBatches() - completed.size());
    }

    @Test
    void aRecordNotFittingTheLayoutIsInconsistent() {
        FrontierLayout layout = layout(1, 10, 5, Partitioning.None, 1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Frontier.restore(layout, SETTINGS,
                List.of(new SlotProgress(0, 5, null, null, null)), null))
                .isInstanceOf(InconsistentFrontierException.class).hasMessageContaining("watermark 5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Frontier.restore(layout, SETTINGS,
                List.of(new SlotProgress(3, 0, null, null, null)), null))
                .isInstanceOf(InconsistentFrontierException.class).hasMessageContaining("slot 3");
    }

    @Test
    void otherSeedsWithTheSameSlotsAndBatchesAreInconsistentWithTheRecordedDigest() {
        FrontierLayout recordedWith = layout(1, 10, 5, Partitioning.None, 1);
        List<SeedRequest> edited = new ArrayList<>();
        for (int page = 0; page < 10; page++) {
            String url = "http://host0.test/other/" + page + "/";
            edited.add(new SeedRequest(url, url));
        }
        FrontierLayout now = FrontierLayout.of(edited, Partitioning.None, 1, 5);
        List<SlotProgress> recorded = List.of(new SlotProgress(0, 1, null, null, null));

        assertThat(now.totalBatches()).as("the same shape").isEqualTo(recordedWith.totalBatches());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Frontier.restore(now, SETTINGS, recorded,
                recordedWith.seedsDigest())).isInstanceOf(InconsistentFrontierException.class)
                .hasMessageContaining("seeds changed").hasMessageContaining(recordedWith.seedsDigest());
        assertThat(Frontier.restore(recordedWith, SETTINGS, recorded, recordedWith.seedsDigest()).counters()
                .getDone()).isEqualTo(1);
        assertThat(Frontier.restore(now, SETTINGS, recorded, null).counters().getDone())
                .as("a status written before digests were recorded").isEqualTo(1);
    }

    @Test
    void layoutIsTheSameForTheSameSeeds() {
        FrontierLayout a = layout(3, 50, 7, Partitioning.Host, 5);
        FrontierLayout b = layout(3, 50, 7, Partitioning.Host, 5);

        for (int slot = 0; slot < a.slots(); slot++) {
            for (int n = 0; n < a.batchCount(slot); n++) {
                assertThat(b.batch(new BatchId(slot, n))).isEqualTo(a.batch(new BatchId(slot, n)));
            }
        }
    }

    private static LeaseOutcome.Granted granted(LeaseOutcome outcome) {
        assertThat(outcome).isInstanceOf(LeaseOutcome.Granted.class);
        return (LeaseOutcome.Granted) outcome;
    }

    private static FrontierLayout layout(int hosts, int pagesPerHost, int batchSize, Partitioning partitioning,
            int slots) {
        List<SeedRequest> seeds = IntStream.range(0, hosts).boxed()
                .flatMap(h -> IntStream.range(0, pagesPerHost)
                        .mapToObj(p -> "http://host" + h + ".test/page/" + p + "/"))
                .map(u -> new SeedRequest(u, u)).toList();
        return FrontierLayout.of(seeds, partitioning, slots, batchSize);
    }
}
