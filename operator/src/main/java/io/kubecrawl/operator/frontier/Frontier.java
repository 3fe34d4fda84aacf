package io.kubecrawl.operator.frontier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;

import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import org.jboss.logging.Logger;

/**
 * The work of one CrawlJob: its batches, which are finished (durable, recorded in the status), and which are leased
 * to which worker (in memory only).
 *
 * <p>After an operator restart the leases are gone but the workers that held them may still be running their
 * batches. A frontier rebuilt from a status that recorded it ({@link #restore}) therefore leases nothing for a grace
 * period of one renewal interval ({@link #restartGrace}), and a worker presenting on Renew a batch that is neither
 * finished nor leased to another worker gets its lease back ({@link #renew}). Only the batches nobody presented are
 * leased again once the grace period is over: no batch runs twice while its worker is alive and reaches the operator.
 *
 * <p>A slot leases its seed batches first, then batches of the requests the job's spider discovered
 * ({@link DiscoveredWork}): those are queued in a durable store, cut into a batch only when a worker is about to lease
 * it, and committed with the completion of the batch that found them. A batch cut and not completed is held here and
 * in the store; after a restart it is leased again like any unfinished batch.
 *
 * <p>A slot is owned by one worker while that worker lives and the slot has work, and has at most
 * {@link FrontierSettings#maxLeasesPerSlot} batches leased at once, so that one site's requests are not spread over
 * several workers at once. A worker's next batch comes from a slot it holds no batch of where one has work (its
 * spider then fetches two hosts side by side, not one host's batches one after the other); a worker that finds no
 * slot of its own or unowned shares another's slot when the job allows more than one lease per slot. Every method
 * is synchronized: workers call in concurrently over gRPC, and the reconciler reads snapshots. The frontier never
 * reads a clock: every call that needs the time is given it.
 */
public final class Frontier {

    private static final Logger LOG = Logger.getLogger(Frontier.class);
    /** The worker agent's shortest renewal period ({@code LeaseRenewer.SHORTEST_PERIOD}). */
    private static final Duration SHORTEST_RENEWAL_PERIOD = Duration.ofMillis(250);
    /** Added to two renewal periods in {@link #restartGrace}: the network, and the rebuild of the frontier itself. */
    private static final Duration RESTART_GRACE_MARGIN = Duration.ofSeconds(2);
    /**
     * The first number of a batch of discovered requests: far above any seed layout's batch numbers, so that a batch
     * number alone tells the two kinds apart (the store numbers its batches from here).
     */
    public static final int FIRST_DISCOVERED_BATCH = 1 << 30;

    private final FrontierLayout layout;
    private final DiscoveredWork discovered;
    /** Batches of discovered requests cut and not completed, leased or not: their requests, as leases hand them out. */
    private final Map<BatchId, List<SeedRequest>> openDiscovered = new TreeMap<>();
    /** Failed attempts of open discovered batches (in memory only: a restart gives them their attempts again). */
    private final Map<BatchId, Integer> discoveredFailures = new HashMap<>();
    /** Discovered batches given up in this operator's life. */
    private int discoveredGivenUp;
    /** Leases per slot, kept with {@link #leases} for maxLeasesPerSlot. */
    private final Map<Integer, Integer> leasesBySlot = new HashMap<>();
    /** Replaced when the spec's limits change: volatile for {@link #maxBatchesPerWorker}, which is not synchronized. */
    private volatile FrontierSettings settings;
    private final List<SlotState> slots = new ArrayList<>();
    private final Map<BatchId, Lease> leases = new TreeMap<>();
    /** Leases per worker, kept with {@link #leases} so that a lease call does not scan every lease. */
    private final Map<String, Integer> heldBy = new HashMap<>();
    private final Map<Integer, String> slotOwners = new HashMap<>();
    private final Map<String, Instant> lastSeen = new HashMap<>();
    private final List<GivenUpBatch> givenUp = new ArrayList<>();
    /** How often each batch was leased in this operator's life: the attempt number workers see. */
    private final Map<BatchId, Integer> leaseCounts = new HashMap<>();
    private boolean drainRecorded;
    /** Whether this frontier was rebuilt for a job that may have had leases, and so waits for their renewals. */
    private final boolean restored;
    /**
     * The end of a restored frontier's grace period, counted from the first time the frontier is given the time (the
     * reconciler's housekeeping right after the rebuild, or a worker's call); null until then.
     */
    private Instant graceEndsAt;
    /** Leases a worker got back by presenting its batch on Renew (after a restart, or after its lease lapsed). */
    private long reestablishedLeases;
    /**
     * Of the batches the earlier operator's last checkpoint recorded as leased, those neither presented on Renew nor
     * leased again yet (see {@link #recordLeasesBeforeRestart}).
     */
    private int leasesBeforeRestart;
    /** Batches leased again after a restart because nobody presented them (see {@link #recordLeasesBeforeRestart}). */
    private long leasedAgainAfterRestart;
    private RestartListener restartListener = RestartListener.NONE;

    /** Told of leases re-established on Renew and of batches leased again after a restart: the operator's meters. */
    public interface RestartListener {
        RestartListener NONE = new RestartListener() {
            @Override
            public void leaseReestablished() {
            }

            @Override
            public void leasedAgainAfterRestart() {
            }
        };

        void leaseReestablished();

        void leasedAgainAfterRestart();
    }

    private Frontier(FrontierLayout layout, FrontierSettings settings, boolean restored, DiscoveredWork discovered) {
        this.layout = layout;
        this.discovered = discovered;
        this.settings = settings;
        this.restored = restored;
        for (int slot = 0; slot < layout.slots(); slot++) {
            slots.add(new SlotState(slot, layout.batchCount(slot)));
        }
    }

    /** The frontier of a job that has not run yet: it leases at once. */
    public static Frontier fresh(FrontierLayout layout, FrontierSettings settings) {
        return fresh(layout, settings, DiscoveredWork.NONE);
    }

    /** As {@link #fresh(FrontierLayout, FrontierSettings)}, for a job whose spider's requests come back to it. */
    public static Frontier fresh(FrontierLayout layout, FrontierSettings settings, DiscoveredWork discovered) {
        return new Frontier(layout, settings, false, discovered);
    }

    /**
     * Rebuilds a job's frontier from its layout and what its status recorded: the slot progress, and the digest of the
     * seeds (null in a status written before digests were recorded).
     *
     * <p>When the status recorded anything of the frontier (its seeds' digest, which the first status write of a
     * running job carries, or progress), an earlier operator may have leased batches that live workers still run:
     * the rebuilt frontier then starts with a grace period of {@link #restartGrace}, from the first time it is given
     * the time, during which it leases nothing and workers re-establish their leases on Renew. A status that records
     * nothing of it is a job's first reconcile: that frontier leases at once, as {@link #fresh} does.
     *
     * @throws InconsistentFrontierException when the record does not fit the layout, or the seeds are not the ones
     *     the record was made with
     */
    public static Frontier restore(FrontierLayout layout, FrontierSettings settings, List<SlotProgress> recorded,
            String recordedSeedsDigest) {
        return restore(layout, settings, recorded, recordedSeedsDigest, true);
    }

    /**
     * As {@link #restore(FrontierLayout, FrontierSettings, List, String)}, for a job that may never have had workers:
     * with {@code workersMayHoldLeases} false (no worker Job exists, so no worker can hold a lease), the frontier keeps
     * the recorded progress but has no grace period and does not count as restored. A job left Pending, by a Spider
     * that is missing for example, then starts as a new job does, as it should.
     */
    public static Frontier restore(FrontierLayout layout, FrontierSettings settings, List<SlotProgress> recorded,
            String recordedSeedsDigest, boolean workersMayHoldLeases) {
        return restore(layout, settings, recorded, recordedSeedsDigest, workersMayHoldLeases, DiscoveredWork.NONE,
                null);
    }

    /**
     * As {@link #restore(FrontierLayout, FrontierSettings, List, String, boolean)}, with the job's discovered
     * requests: the store must not be behind the commit sequence the status recorded, and the batches it holds cut
     * and not completed are open again, to be presented on Renew by the workers that still run them or leased again.
     *
     * @throws InconsistentFrontierException also when the store is behind the status
     */
    public static Frontier restore(FrontierLayout layout, FrontierSettings settings, List<SlotProgress> recorded,
            String recordedSeedsDigest, boolean workersMayHoldLeases, DiscoveredWork discovered,
            Long recordedCommitSequence) {
        discovered.checkNotBehind(recordedCommitSequence);
        if (recordedSeedsDigest != null && !recordedSeedsDigest.equals(layout.seedsDigest())) {
            throw new InconsistentFrontierException("the job's seeds changed while it ran (the status recorded "
                    + recordedSeedsDigest + ", the seeds read now are " + layout.seedsDigest() + ")");
        }
        boolean recordedBefore = recordedSeedsDigest != null || (recorded != null && !recorded.isEmpty());
        Frontier frontier = new Frontier(layout, settings, recordedBefore && workersMayHoldLeases, discovered);
        for (SlotProgress progress : recorded == null ? List.<SlotProgress>of() : recorded) {
            Integer slot = progress.getSlot();
            if (slot == null || slot < 0 || slot >= layout.slots()) {
                throw new InconsistentFrontierException("the status records slot " + slot + " but the job has "
                        + layout.slots() + " slots");
            }
            frontier.slots.set(slot, SlotState.restore(layout.batchCount(slot), progress));
        }
        for (DiscoveredWork.CutBatch open : discovered.openBatches()) {
            if (open.id().slot() >= layout.slots()) {
                throw new InconsistentFrontierException("the store holds discovered batch " + open.id()
                        + " but the job has " + layout.slots() + " slots");
            }
            frontier.openDiscovered.put(open.id(), open.requests());
        }
        return frontier;
    }

    /**
     * How long a restored frontier leases nothing: the longest time between two Renew calls of a live worker, and a
     * margin, but never longer than a lease (a lease not renewed for that long would have expired anyway).
     *
     * <p>The worker renews each lease every third of its length ({@code LeaseRenewer.period} in the worker agent,
     * at least every 250 ms), with a fixed delay after each call, and a call lasts at most its deadline, which the
     * worker caps at one period: so a live worker that reaches the operator renews at most two periods apart. The
     * margin covers the network and the rebuild itself. For the default 120 s lease: 2 x 40 s + 2 s = 82 s; for a
     * 30 s lease 22 s; for the shortest (5 s) lease the whole lease.
     */
    public static Duration restartGrace(Duration leaseDuration) {
        Duration third = leaseDuration.dividedBy(3);
        Duration renewalPeriod = third.compareTo(SHORTEST_RENEWAL_PERIOD) < 0 ? SHORTEST_RENEWAL_PERIOD : third;
        Duration grace = renewalPeriod.multipliedBy(2).plus(RESTART_GRACE_MARGIN);
        return grace.compareTo(leaseDuration) > 0 ? leaseDuration : grace;
    }

    /**
     * Takes the job's settings as its spec says them now. Only {@code spec.limits} may change while a job runs, so in
     * effect this applies a changed {@code maxBatchAttempts}, from the next failed attempt on.
     */
    public synchronized void updateSettings(FrontierSettings settings) {
        this.settings = settings;
    }

    /** The settings the frontier works with now, for the reconciler to compare with the spec's. */
    public FrontierSettings settings() {
        return settings;
    }

    /** The most batches one worker holds at once; a worker is told, so that it knows whether to lease ahead. */
    public int maxBatchesPerWorker() {
        return settings.maxBatchesPerWorker();
    }

    public synchronized LeaseOutcome lease(String worker, Instant now) {
        observe(now);
        expire(now);
        lastSeen.put(worker, now);
        if (isDrained()) {
            return drainRecorded ? new LeaseOutcome.Drained() : new LeaseOutcome.Wait(settings.retryAfter());
        }
        if (inGracePeriod(now)) {
            // The workers of the operator before the restart may still run any unfinished batch: they present theirs
            // on Renew first.
            return new LeaseOutcome.Wait(settings.retryAfter());
        }
        if (heldBy.getOrDefault(worker, 0) >= settings.maxBatchesPerWorker()) {
            return new LeaseOutcome.Wait(settings.retryAfter());
        }
        // A worker's batches are of different slots where it can be: under Host partitioning that is different
        // hosts, which its spider fetches side by side, each at the spider's own limit per host; two batches of one
        // host would share that limit.
        Set<Integer> slotsHeld = slotsLeasedTo(worker);
        for (SlotState slot : slots) {
            if (worker.equals(slotOwners.get(slot.slot())) && !slotsHeld.contains(slot.slot())
                    && !slotFull(slot.slot())) {
                Optional<LeaseOutcome> granted = leaseFrom(slot, worker, now);
                if (granted.isPresent()) {
                    return granted.get();
                }
                slotOwners.remove(slot.slot());
            }
        }
        for (SlotState slot : slots) {
            if (slotsHeld.contains(slot.slot()) || ownedByAnother(slot.slot(), worker, now)
                    || slotFull(slot.slot())) {
                continue;
            }
            Optional<LeaseOutcome> granted = leaseFrom(slot, worker, now);
            if (granted.isPresent()) {
                slotOwners.put(slot.slot(), worker);
                return granted.get();
            }
        }
        if (settings.maxLeasesPerSlot() > 1 && settings.maxLeasesPerSlot() != Integer.MAX_VALUE) {
            // The job allows several batches of a slot at once: a slot another worker owns is shared up to that limit
            // rather than leaving this worker idle. With one, a slot stays with its living owner between its batches;
            // without a limit set (frontiers leased before it existed), with its owner alone.
            Optional<LeaseOutcome> shared = leaseFromFirst(worker, now, slot -> !slotsHeld.contains(slot));
            if (shared.isPresent()) {
                return shared.get();
            }
        }
        return leaseFromFirst(worker, now, slot -> slotsHeld.contains(slot) && worker.equals(slotOwners.get(slot)))
                .orElseGet(() -> new LeaseOutcome.Wait(settings.retryAfter()));
    }

    /** A batch of the first slot that is {@code eligible} and not full and has one, leaving ownership as it is. */
    private Optional<LeaseOutcome> leaseFromFirst(String worker, Instant now, IntPredicate eligible) {
        for (SlotState slot : slots) {
            if (eligible.test(slot.slot()) && !slotFull(slot.slot())) {
                Optional<LeaseOutcome> granted = leaseFrom(slot, worker, now);
                if (granted.isPresent()) {
                    return granted;
                }
            }
        }
        return Optional.empty();
    }

    /** The slots of the batches leased to the worker now. */
    private Set<Integer> slotsLeasedTo(String worker) {
        Set<Integer> held = new HashSet<>();
        if (heldBy.containsKey(worker)) {
            for (Lease lease : leases.values()) {
                if (lease.worker().equals(worker)) {
                    held.add(lease.batch().slot());
                }
            }
        }
        return held;
    }

    /**
     * The slot's next batch for the worker: a seed batch, else an open discovered batch nobody holds, else a new batch
     * cut from the slot's queue of discovered requests.
     */
    private Optional<LeaseOutcome> leaseFrom(SlotState slot, String worker, Instant now) {
        int n = slot.nextAvailable(number -> leases.containsKey(new BatchId(slot.slot(), number)));
        if (n >= 0) {
            return Optional.of(grant(worker, new BatchId(slot.slot(), n), now));
        }
        for (BatchId open : openDiscovered.keySet()) {
            if (open.slot() == slot.slot() && !leases.containsKey(open)) {
                return Optional.of(grant(worker, open, now));
            }
        }
        if (discovered.hasQueued(slot.slot())) {
            Optional<DiscoveredWork.CutBatch> cut = discovered.cut(slot.slot(), layout.batchSize());
            if (cut.isPresent()) {
                openDiscovered.put(cut.get().id(), cut.get().requests());
                return Optional.of(grant(worker, cut.get().id(), now));
            }
        }
        return Optional.empty();
    }

    private boolean slotFull(int slot) {
        return leasesBySlot.getOrDefault(slot, 0) >= settings.maxLeasesPerSlot();
    }

    /**
     * Extends the leases the worker still holds among {@code batches}. A batch the worker presents that is leased to
     * nobody and not finished is leased to it again: its lease was lost with an operator restart (or lapsed while the
     * worker could not reach the operator), and the worker is still running it, so nobody else should.
     *
     * @return the batches the worker holds now; a batch missing here was lost (finished, or leased to another worker
     *     after this one's lease expired), or is not one of the job's
     */
    public synchronized Set<BatchId> renew(String worker, Set<BatchId> batches, Instant now) {
        observe(now);
        expire(now);
        lastSeen.put(worker, now);
        Set<BatchId> held = new java.util.TreeSet<>();
        for (BatchId batch : batches) {
            Lease lease = leases.get(batch);
            if (lease != null && lease.worker().equals(worker)) {
                leases.put(batch, lease.renewedUntil(now.plus(settings.leaseDuration())));
                held.add(batch);
            } else if (lease == null && isOpen(batch)) {
                reestablish(worker, batch, now);
                held.add(batch);
            }
        }
        return held;
    }

    /** A worker ran the batch to its end and its items are stored. Repeated or late reports are accepted. */
    public synchronized BatchOutcome complete(BatchId batch, String worker, Instant now) {
        return complete(batch, worker, List.of(), now);
    }

    /**
     * A worker ran the batch to its end, its items are stored, and its spider discovered {@code requests}: they are
     * committed with the batch's completion, once, however often the batch is reported. Repeated or late reports are
     * accepted.
     */
    public synchronized BatchOutcome complete(BatchId batch, String worker, List<DiscoveredRequest> requests,
            Instant now) {
        observe(now);
        lastSeen.put(worker, now);
        if (openDiscovered.containsKey(batch)) {
            discovered.commit(batch, requests);
            removeLease(batch);
            openDiscovered.remove(batch);
            discoveredFailures.remove(batch);
            return BatchOutcome.COMPLETED;
        }
        if (!layout.contains(batch)) {
            return isDiscovered(batch) ? BatchOutcome.ALREADY_FINISHED : BatchOutcome.UNKNOWN_BATCH;
        }
        SlotState slot = slots.get(batch.slot());
        if (slot.isFinished(batch.number())) {
            return BatchOutcome.ALREADY_FINISHED;
        }
        // Committed before the batch is marked complete: a crash in between redoes the batch, and the store, which
        // remembers the completion, does not take its requests twice.
        discovered.commit(batch, requests);
        removeLease(batch);
        slot.complete(batch.number());
        return BatchOutcome.COMPLETED;
    }

    /** A worker's attempt at the batch failed; after maxBatchAttempts failures the batch is given up. */
    public synchronized BatchOutcome fail(BatchId batch, String worker, String error, Instant now) {
        observe(now);
        lastSeen.put(worker, now);
        if (isDiscovered(batch)) {
            return failDiscovered(batch, worker, error);
        }
        if (!layout.contains(batch)) {
            return BatchOutcome.UNKNOWN_BATCH;
        }
        SlotState slot = slots.get(batch.slot());
        Lease lease = leases.get(batch);
        if (slot.isFinished(batch.number()) || lease == null || !lease.worker().equals(worker)) {
            // Finished meanwhile, or already given to another worker after this one's lease expired.
            return BatchOutcome.ALREADY_FINISHED;
        }
        removeLease(batch);
        return countFailure(batch, error);
    }

    /** How many requests the batch has: 0 for one that is neither a seed batch nor an open discovered batch. */
    public synchronized int size(BatchId batch) {
        if (isDiscovered(batch)) {
            List<SeedRequest> requests = openDiscovered.get(batch);
            return requests == null ? 0 : requests.size();
        }
        return layout.contains(batch) ? layout.size(batch) : 0;
    }

    /**
     * Whether the batch is done: a seed batch completed or given up, or a discovered batch that is not open (completed,
     * given up, or never cut).
     */
    public synchronized boolean isFinished(BatchId batch) {
        if (isDiscovered(batch)) {
            return !openDiscovered.containsKey(batch);
        }
        return layout.contains(batch) && slots.get(batch.slot()).isFinished(batch.number());
    }

    /**
     * The reconciler calls this once a status saying the frontier is drained has been written. Until then workers
     * asking for work are told to wait, not that it is drained: a worker that exits on "drained" must never find,
     * after an operator restart, a status that still lists work.
     */
    public synchronized void markDrainRecorded() {
        drainRecorded = isDrained();
    }

    public synchronized boolean isDrainRecorded() {
        return drainRecorded;
    }

    /** Every seed batch finished, no discovered batch open and no discovered request queued. */
    public synchronized boolean isDrained() {
        return slots.stream().allMatch(SlotState::isDone) && openDiscovered.isEmpty() && discovered.queued() == 0;
    }

    public synchronized List<SlotProgress> progress() {
        List<SlotProgress> progress = new ArrayList<>();
        for (SlotState slot : slots) {
            SlotProgress p = slot.toProgress();
            if (p != null) {
                progress.add(p);
            }
        }
        return progress;
    }

    /**
     * Batch counts. With discovered requests the total is what is known now: the seed batches, the discovered batches
     * cut, and the batches the queued requests will make at least (one per started batch size).
     */
    public synchronized BatchCounters counters() {
        int finished = slots.stream().mapToInt(SlotState::finishedCount).sum();
        int failed = slots.stream().mapToInt(SlotState::failedCount).sum();
        long cut = discovered.batchesCut();
        long queued = discovered.queued();
        long toCut = (queued + layout.batchSize() - 1) / layout.batchSize();
        int discoveredFinished = (int) (cut - openDiscovered.size());
        return new BatchCounters((int) (layout.totalBatches() + cut + toCut),
                finished - failed + discoveredFinished - discoveredGivenUp, failed + discoveredGivenUp,
                leases.size());
    }

    /** What the job's store did with its discovered requests, for the status; null while it has none. */
    public DiscoveredRequestsStatus discoveredStatus() {
        return discovered.status();
    }

    /**
     * The counters as {@link #expireLeases} at {@code asOf} would leave them, without expiring anything: a lease due
     * by then is not counted as leased. For a reconcile, which reads before it acts, and writes these to the status.
     *
     * <p>Until a rebuilt frontier's grace period is over, the batches leased before the restart that no worker has
     * presented yet count as leased too: their workers may well still run them, and the status keeps saying so
     * rather than dropping to the leases presented so far (which would also make every running job's first
     * reconcile after a restart write its status).
     */
    public synchronized BatchCounters counters(Instant asOf) {
        BatchCounters counters = counters();
        int leased = (int) leases.values().stream().filter(l -> l.expiresAt().isAfter(asOf)).count();
        // Not given the time yet (graceEndsAt unset) counts as in the grace period, which has not started.
        boolean inGrace = restored && (graceEndsAt == null || inGracePeriod(asOf));
        return new BatchCounters(counters.getTotal(), counters.getDone(), counters.getFailed(),
                leased + (inGrace ? leasesBeforeRestart : 0));
    }

    /**
     * Whether this frontier was rebuilt from a status that recorded it, so that an earlier operator may have leased
     * some of its batches (see {@link #restore}).
     */
    public boolean isRestored() {
        return restored;
    }

    /** See {@link FrontierLayout#seedsDigest()}. */
    public String seedsDigest() {
        return layout.seedsDigest();
    }

    public long requests() {
        return layout.requests();
    }

    /** Expires leases due by {@code now}; called by the checkpoint so that dead workers' batches return. */
    public synchronized void expireLeases(Instant now) {
        observe(now);
        expire(now);
    }

    /**
     * Whether this frontier, rebuilt after a restart, is still waiting for the workers of the earlier operator to
     * present their batches (see {@link #restartGrace}); false for a frontier that has not been given the time yet.
     */
    public synchronized boolean inGracePeriod(Instant now) {
        return graceEndsAt != null && now.isBefore(graceEndsAt);
    }

    /**
     * How many leases workers got back by presenting their batches on Renew since this frontier was built: batches
     * that would otherwise have been leased again after an operator restart, while their workers still ran them.
     */
    public synchronized long reestablishedLeases() {
        return reestablishedLeases;
    }

    /**
     * Batches leased again after a restart because nobody presented them on Renew during the grace period: their
     * workers died with, or since, the earlier operator, and their work is done again. Counted against the leases
     * the earlier operator's last checkpoint recorded ({@link #recordLeasesBeforeRestart}): the first that many
     * leases after the restart, less the leases re-established meanwhile, count. An estimate, as the checkpoint is up
     * to one checkpoint interval old and the status does not say which batches were leased; batches are leased
     * lowest first, so the first leases after the grace period are, as a rule, those batches.
     */
    public synchronized long leasedAgainAfterRestart() {
        return leasedAgainAfterRestart;
    }

    /**
     * How many batches the earlier operator had leased at its last checkpoint ({@code status.batches.leased}), for
     * {@link #leasedAgainAfterRestart} and for the counters during the grace period; ignored by a frontier that was not
     * rebuilt after a restart. Given while the frontier is built, before anything else uses it.
     */
    public synchronized void recordLeasesBeforeRestart(int leases) {
        if (restored) {
            leasesBeforeRestart = Math.max(0, leases);
        }
    }

    public synchronized void setRestartListener(RestartListener listener) {
        this.restartListener = listener;
    }

    /** Batches given up and not reported yet ({@link #reported}), for the reconciler to report. */
    public synchronized List<GivenUpBatch> unreportedGivenUp() {
        return List.copyOf(givenUp);
    }

    /** The reconciler reported these given-up batches: they are not handed out again. */
    public synchronized void reported(List<GivenUpBatch> batches) {
        givenUp.removeAll(batches);
    }

    public synchronized List<Lease> leases() {
        return List.copyOf(leases.values());
    }

    private LeaseOutcome grant(String worker, BatchId batch, Instant now) {
        int attempt = leaseCounts.merge(batch, 1, Integer::sum);
        Lease lease = new Lease(batch, worker, attempt, now.plus(settings.leaseDuration()));
        putLease(lease);
        if (leasesBeforeRestart > 0) {
            // Granted after the grace period: one of the batches leased before the restart that nobody presented.
            leasesBeforeRestart--;
            leasedAgainAfterRestart++;
            restartListener.leasedAgainAfterRestart();
        }
        List<SeedRequest> requests = isDiscovered(batch) ? openDiscovered.get(batch) : layout.batch(batch);
        return new LeaseOutcome.Granted(lease, requests);
    }

    private void putLease(Lease lease) {
        leases.put(lease.batch(), lease);
        heldBy.merge(lease.worker(), 1, Integer::sum);
        leasesBySlot.merge(lease.batch().slot(), 1, Integer::sum);
    }

    /** Whether the batch is one of the job's and neither finished nor given up. */
    private boolean isOpen(BatchId batch) {
        if (isDiscovered(batch)) {
            return openDiscovered.containsKey(batch);
        }
        return layout.contains(batch) && !slots.get(batch.slot()).isFinished(batch.number());
    }

    private static boolean isDiscovered(BatchId batch) {
        return batch.number() >= FIRST_DISCOVERED_BATCH;
    }

    private BatchOutcome failDiscovered(BatchId batch, String worker, String error) {
        Lease lease = leases.get(batch);
        if (!openDiscovered.containsKey(batch) || lease == null || !lease.worker().equals(worker)) {
            return BatchOutcome.ALREADY_FINISHED;
        }
        removeLease(batch);
        int attempts = discoveredFailures.merge(batch, 1, Integer::sum);
        if (attempts < settings.maxBatchAttempts()) {
            return BatchOutcome.RETRYING;
        }
        // Given up: committed as a completion without requests, so that the store drops the batch for good.
        discovered.commit(batch, List.of());
        openDiscovered.remove(batch);
        discoveredFailures.remove(batch);
        discoveredGivenUp++;
        givenUp.add(new GivenUpBatch(batch, attempts, error));
        return BatchOutcome.GAVE_UP;
    }

    /** Gives the batch back to the worker that presented it, as {@link #grant} would have. */
    private void reestablish(String worker, BatchId batch, Instant now) {
        // Counted as a lease of this operator's life: if it is lost again, the next worker sees a later attempt.
        int attempt = leaseCounts.merge(batch, 1, Integer::sum);
        putLease(new Lease(batch, worker, attempt, now.plus(settings.leaseDuration())));
        if (!ownedByAnother(batch.slot(), worker, now)) {
            slotOwners.put(batch.slot(), worker);
        }
        reestablishedLeases++;
        if (leasesBeforeRestart > 0) {
            leasesBeforeRestart--;
        }
        restartListener.leaseReestablished();
        LOG.infof("Batch %s: lease re-established for %s, which presented it on Renew (leased before an operator "
                + "restart, or its lease lapsed); it is not leased to another worker", batch, worker);
    }

    /** Starts a restored frontier's grace period the first time the frontier is given the time. */
    private void observe(Instant now) {
        if (restored && graceEndsAt == null) {
            Duration grace = restartGrace(settings.leaseDuration());
            graceEndsAt = now.plus(grace);
            // Not INFO: after a restart every unfinished job's frontier says this at once, and the line names no job.
            LOG.debugf("Frontier rebuilt after a restart: no batch is leased for %.1f s, until %s, so that the "
                    + "workers still running batches leased before it present them on Renew", grace.toMillis() / 1000.0,
                    graceEndsAt);
        }
    }

    private void removeLease(BatchId batch) {
        Lease removed = leases.remove(batch);
        if (removed != null) {
            heldBy.computeIfPresent(removed.worker(), (worker, count) -> count == 1 ? null : count - 1);
            leasesBySlot.computeIfPresent(batch.slot(), (slot, count) -> count == 1 ? null : count - 1);
        }
    }

    private boolean ownedByAnother(int slot, String worker, Instant now) {
        String owner = slotOwners.get(slot);
        if (owner == null || owner.equals(worker)) {
            return false;
        }
        Instant seen = lastSeen.get(owner);
        boolean ownerAlive = seen != null && seen.plus(settings.leaseDuration()).isAfter(now);
        boolean ownerHoldsLeases = heldBy.containsKey(owner);
        if (!ownerAlive && !ownerHoldsLeases) {
            slotOwners.remove(slot);
            return false;
        }
        return true;
    }

    private void expire(Instant now) {
        List<Lease> expired = leases.values().stream().filter(l -> !l.expiresAt().isAfter(now)).toList();
        for (Lease lease : expired) {
            removeLease(lease.batch());
            if (Objects.equals(slotOwners.get(lease.batch().slot()), lease.worker())) {
                slotOwners.remove(lease.batch().slot());
            }
            // Not a failed attempt: a worker stopped by suspend, scale-down or a lost node did nothing wrong. A batch
            // that kills its worker every time is bounded by the Job's backoff limit instead.
            LOG.debugf("Lease of batch %s by %s expired; the batch returns to its slot", lease.batch(),
                    lease.worker());
        }
    }

    private BatchOutcome countFailure(BatchId batch, String error) {
        SlotState slot = slots.get(batch.slot());
        int attempts = slot.recordFailure(batch.number(), error);
        if (attempts >= settings.maxBatchAttempts()) {
            slot.giveUp(batch.number());
            givenUp.add(new GivenUpBatch(batch, attempts, error));
            return BatchOutcome.GAVE_UP;
        }
        return BatchOutcome.RETRYING;
    }
}
