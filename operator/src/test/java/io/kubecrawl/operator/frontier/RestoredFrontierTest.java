package io.kubecrawl.operator.frontier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import org.junit.jupiter.api.Test;

/**
 * A frontier rebuilt from the status after an operator restart, while the workers of the earlier operator still run
 * the batches it leased them: those who present their batches on Renew keep them, and nobody else gets them.
 */
class RestoredFrontierTest {

    private static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    /** When the restarted operator rebuilds the frontier and first looks at the clock (its reconcile's "now"). */
    private static final Instant RESTART = T0.plusSeconds(100);
    private static final FrontierSettings SETTINGS = new FrontierSettings(1, Duration.ofSeconds(30), 3,
            Duration.ofSeconds(1));
    /** Of a 30 s lease: the worker renews every 10 s; two renewal periods and a 2 s margin. */
    private static final Duration GRACE = Duration.ofSeconds(22);

    @Test
    void theGracePeriodIsTwoRenewalPeriodsOfTheWorkerAndAMarginButNeverLongerThanALease() {
        assertThat(Frontier.restartGrace(Duration.ofSeconds(30))).isEqualTo(GRACE);
        assertThat(Frontier.restartGrace(Duration.ofSeconds(120))).as("the default lease")
                .isEqualTo(Duration.ofSeconds(82));
        assertThat(Frontier.restartGrace(Duration.ofSeconds(10))).isEqualTo(Duration.ofNanos(8_666_666_666L));
        assertThat(Frontier.restartGrace(Duration.ofSeconds(5))).as("the shortest lease the CRD allows")
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(Frontier.restartGrace(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aRestoredFrontierLeasesNothingForOneRenewalIntervalThenLeasesWhatNobodyPresented() {
        FrontierLayout layout = layout(4);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId done = granted(before.lease("w1", T0)).lease().batch();
        before.complete(done, "w1", T0);
        BatchId inFlight = granted(before.lease("w1", T0)).lease().batch();

        Frontier after = restart(layout, before);

        assertThat(after.inGracePeriod(RESTART)).isTrue();
        assertThat(after.lease("w2", RESTART)).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(after.lease("w3", RESTART.plus(GRACE).minusMillis(1))).isInstanceOf(LeaseOutcome.Wait.class);
        // Nobody presented the batch in flight before the restart: its worker is gone, and it is leased again.
        LeaseOutcome.Granted again = granted(after.lease("w2", RESTART.plus(GRACE)));
        assertThat(again.lease().batch()).isEqualTo(inFlight);
        assertThat(again.lease().attempt()).isEqualTo(1);
        assertThat(after.inGracePeriod(RESTART.plus(GRACE))).isFalse();
        assertThat(after.reestablishedLeases()).isZero();
    }

    @Test
    void theGracePeriodStartsWhenTheRestoredFrontierFirstSeesTheClock() {
        FrontierLayout layout = layout(4);
        Frontier after = Frontier.restore(layout, SETTINGS, Frontier.fresh(layout, SETTINGS).progress(),
                layout.seedsDigest());
        Instant first = RESTART.plusSeconds(300);
        assertThat(after.inGracePeriod(first)).as("not given the time yet").isFalse();

        assertThat(after.lease("w1", first)).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(after.lease("w1", first.plus(GRACE).minusMillis(1))).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(after.lease("w1", first.plus(GRACE))).isInstanceOf(LeaseOutcome.Granted.class);
    }

    @Test
    void aWorkerPresentingItsBatchOnRenewKeepsItAndNoOtherWorkerGetsIt() {
        FrontierLayout layout = layout(4);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId kept = granted(before.lease("w1", T0)).lease().batch();

        Frontier after = restart(layout, before);

        assertThat(after.renew("w1", Set.of(kept), RESTART.plusSeconds(5))).containsExactly(kept);
        assertThat(after.leases()).singleElement().satisfies(lease -> {
            assertThat(lease.batch()).isEqualTo(kept);
            assertThat(lease.worker()).isEqualTo("w1");
            assertThat(lease.attempt()).isEqualTo(1);
            assertThat(lease.expiresAt()).isEqualTo(RESTART.plusSeconds(35));
        });
        assertThat(after.counters().getLeased()).isEqualTo(1);
        assertThat(after.lease("w2", RESTART.plusSeconds(10))).isInstanceOf(LeaseOutcome.Wait.class);
        assertThat(after.renew("w1", Set.of(kept), RESTART.plusSeconds(15))).containsExactly(kept);

        // After the grace period the other worker drains the other slots, and never gets the kept batch.
        List<BatchId> leasedToOther = new ArrayList<>();
        Instant later = RESTART.plus(GRACE);
        LeaseOutcome outcome;
        while ((outcome = after.lease("w2", later)) instanceof LeaseOutcome.Granted g) {
            leasedToOther.add(g.lease().batch());
            assertThat(after.complete(g.lease().batch(), "w2", later)).isEqualTo(BatchOutcome.COMPLETED);
            assertThat(after.renew("w1", Set.of(kept), later)).containsExactly(kept);
        }
        assertThat(leasedToOther).isNotEmpty().doesNotContain(kept)
                .allSatisfy(batch -> assertThat(batch.slot()).isNotEqualTo(kept.slot()));
        assertThat(after.renew("w1", Set.of(kept), later.plusSeconds(25))).containsExactly(kept);

        // Its worker completes it, and goes on with its slot.
        assertThat(after.complete(kept, "w1", later.plusSeconds(26))).isEqualTo(BatchOutcome.COMPLETED);
        while ((outcome = after.lease("w1", later.plusSeconds(27))) instanceof LeaseOutcome.Granted g) {
            assertThat(g.lease().batch().slot()).isEqualTo(kept.slot());
            after.complete(g.lease().batch(), "w1", later.plusSeconds(27));
        }
        assertThat(after.isDrained()).isTrue();
        assertThat(after.counters().getDone()).isEqualTo(layout.totalBatches());
        assertThat(after.reestablishedLeases()).as("renewals of a re-established lease are not counted again")
                .isEqualTo(1);
    }

    @Test
    void aBatchPresentedAfterTheGracePeriodIsKeptWhenNobodyTookIt() {
        FrontierLayout layout = layout(4);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId kept = granted(before.lease("w1", T0)).lease().batch();
        Frontier after = restart(layout, before);
        Instant late = RESTART.plus(GRACE).plusSeconds(1);

        assertThat(after.renew("w1", Set.of(kept), late)).containsExactly(kept);

        LeaseOutcome.Granted other = granted(after.lease("w2", late));
        assertThat(other.lease().batch()).isNotEqualTo(kept);
        assertThat(after.reestablishedLeases()).isEqualTo(1);
    }

    @Test
    void aFinishedBatchPresentedIsNotHeld() {
        FrontierLayout layout = layout(4);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId done = granted(before.lease("w1", T0)).lease().batch();
        before.complete(done, "w1", T0);

        Frontier after = restart(layout, before);

        assertThat(after.renew("w1", Set.of(done), RESTART.plusSeconds(5))).isEmpty();
        assertThat(after.leases()).isEmpty();
        assertThat(after.reestablishedLeases()).isZero();
    }

    @Test
    void aBatchLeasedToAnotherWorkerIsNotHeld() {
        FrontierLayout layout = layout(4);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId batch = granted(before.lease("w1", T0)).lease().batch();
        Frontier after = restart(layout, before);
        Instant late = RESTART.plus(GRACE);
        // w1 did not present it in time: after the grace period it goes to w2.
        assertThat(granted(after.lease("w2", late)).lease().batch()).isEqualTo(batch);

        assertThat(after.renew("w1", Set.of(batch), late.plusSeconds(1))).isEmpty();
        assertThat(after.renew("w2", Set.of(batch), late.plusSeconds(2))).containsExactly(batch);
        assertThat(after.reestablishedLeases()).isZero();
    }

    @Test
    void aBatchTheJobDoesNotHaveIsNotHeld() {
        FrontierLayout layout = layout(4);
        Frontier after = restart(layout, Frontier.fresh(layout, SETTINGS));
        BatchId unknown = new BatchId(7, 0);

        assertThat(after.renew("w1", Set.of(unknown, new BatchId(0, 1000)), RESTART)).isEmpty();
        assertThat(after.leases()).isEmpty();
    }

    @Test
    void aCompletionOfABatchLeasedBeforeTheRestartIsAcceptedIfNotDoneAndIgnoredIfDone() {
        FrontierLayout layout = layout(4);
        FrontierSettings two = new FrontierSettings(2, Duration.ofSeconds(30), 3, Duration.ofSeconds(1));
        Frontier before = Frontier.fresh(layout, two);
        BatchId done = granted(before.lease("w1", T0)).lease().batch();
        BatchId notDone = granted(before.lease("w1", T0)).lease().batch();
        before.complete(done, "w1", T0);

        Frontier after = Frontier.restore(layout, two, before.progress(), layout.seedsDigest());
        after.expireLeases(RESTART);

        // No Renew came first: a completion needs no lease.
        assertThat(after.complete(notDone, "w1", RESTART.plusSeconds(1))).isEqualTo(BatchOutcome.COMPLETED);
        assertThat(after.complete(done, "w1", RESTART.plusSeconds(2))).isEqualTo(BatchOutcome.ALREADY_FINISHED);
        assertThat(after.complete(notDone, "w1", RESTART.plusSeconds(3))).isEqualTo(BatchOutcome.ALREADY_FINISHED);
        assertThat(after.counters().getDone()).isEqualTo(2);
        assertThat(after.leases()).isEmpty();
    }

    @Test
    void aJobsFirstFrontierHasNoGracePeriod() {
        FrontierLayout layout = layout(4);

        assertThat(Frontier.fresh(layout, SETTINGS).lease("w1", T0)).isInstanceOf(LeaseOutcome.Granted.class);
        // What the reconciler builds for a job whose status records nothing yet, not even the seeds' digest.
        Frontier first = Frontier.restore(layout, SETTINGS, null, null);
        assertThat(first.lease("w1", T0)).isInstanceOf(LeaseOutcome.Granted.class);
        assertThat(first.inGracePeriod(T0)).isFalse();
        assertThat(first.isRestored()).isFalse();
    }

    @Test
    void aFrontierWhoseStatusRecordedOnlyTheSeedsDigestIsRestored() {
        FrontierLayout layout = layout(4);
        // A status written before any batch finished: no slot has progress yet, but batches may be leased.
        Frontier before = Frontier.fresh(layout, SETTINGS);
        granted(before.lease("w1", T0));
        assertThat(before.progress()).isEmpty();

        Frontier after = restart(layout, before);

        assertThat(after.isRestored()).isTrue();
        assertThat(after.lease("w2", RESTART)).isInstanceOf(LeaseOutcome.Wait.class);
    }

    /** The operator restarts at {@link #RESTART}: the frontier is rebuilt from what the status recorded. */
    @Test
    void ofTheLeasesTheLastCheckpointRecordedThoseNobodyPresentedCountAsLeasedAgainOnceAndThoseRenewedDoNot() {
        FrontierLayout layout = layout(3);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId presented = granted(before.lease("w1", T0)).lease().batch();
        granted(before.lease("w2", T0));
        granted(before.lease("w3", T0));
        int recorded = before.counters().getLeased();
        Frontier after = restart(layout, before);
        List<String> told = new ArrayList<>();
        after.setRestartListener(new Frontier.RestartListener() {
            @Override
            public void leaseReestablished() {
                told.add("reestablished");
            }

            @Override
            public void leasedAgainAfterRestart() {
                told.add("leased again");
            }
        });
        after.recordLeasesBeforeRestart(recorded);

        assertThat(after.renew("w1", Set.of(presented), RESTART)).containsExactly(presented);
        Instant late = RESTART.plus(GRACE);
        BatchId again = granted(after.lease("w4", late)).lease().batch();
        granted(after.lease("w5", late));
        after.complete(again, "w4", late);
        granted(after.lease("w4", late));

        assertThat(recorded).isEqualTo(3);
        assertThat(after.reestablishedLeases()).isEqualTo(1);
        assertThat(after.leasedAgainAfterRestart()).as("3 recorded, 1 presented; the third lease is new work")
                .isEqualTo(2);
        assertThat(told).containsExactly("reestablished", "leased again", "leased again");
    }

    @Test
    void untilTheGracePeriodEndsTheLeasesRecordedBeforeTheRestartCountAsLeased() {
        FrontierLayout layout = layout(3);
        Frontier before = Frontier.fresh(layout, SETTINGS);
        BatchId presented = granted(before.lease("w1", T0)).lease().batch();
        granted(before.lease("w2", T0));
        int recorded = before.counters(T0).getLeased();
        Frontier after = rebuild(layout, before);
        after.recordLeasesBeforeRestart(recorded);

        assertThat(after.counters(RESTART).getLeased()).as("rebuilt, not yet given the time").isEqualTo(2);
        after.expireLeases(RESTART);
        assertThat(after.renew("w1", Set.of(presented), RESTART)).containsExactly(presented);
        assertThat(after.counters(RESTART).getLeased()).as("one presented, one not yet").isEqualTo(2);
        assertThat(after.counters(RESTART.plus(GRACE)).getLeased()).as("the grace period is over: only the one "
                + "presented is held").isEqualTo(1);
    }

    @Test
    void aFrontierThatWasNotRebuiltAfterARestartCountsNothingLeasedAgain() {
        Frontier fresh = Frontier.fresh(layout(1), SETTINGS);
        fresh.recordLeasesBeforeRestart(3);
        granted(fresh.lease("w1", T0));
        assertThat(fresh.leasedAgainAfterRestart()).isZero();
    }

    /** The frontier rebuilt from what {@code before} would have recorded, not yet given the time. */
    private static Frontier rebuild(FrontierLayout layout, Frontier before) {
        return Frontier.restore(layout, SETTINGS, before.progress(), layout.seedsDigest());
    }

    private static Frontier restart(FrontierLayout layout, Frontier before) {
        Frontier after = rebuild(layout, before);
        // The reconciler's housekeeping right after the rebuild: the frontier's first look at the clock.
        after.expireLeases(RESTART);
        return after;
    }

    private static LeaseOutcome.Granted granted(LeaseOutcome outcome) {
        assertThat(outcome).isInstanceOf(LeaseOutcome.Granted.class);
        return (LeaseOutcome.Granted) outcome;
    }

    /** 40 pages of one host, in batches of 5, spread by URL over {@code slots} slots. */
    private static FrontierLayout layout(int slots) {
        List<SeedRequest> seeds = IntStream.range(0, 40).mapToObj(p -> "http://host0.test/page/" + p + "/")
                .map(u -> new SeedRequest(u, u)).toList();
        return FrontierLayout.of(seeds, Partitioning.Url, slots, 5);
    }
}
