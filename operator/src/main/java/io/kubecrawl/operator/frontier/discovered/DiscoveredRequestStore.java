package io.kubecrawl.operator.frontier.discovered;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import com.google.protobuf.ByteString;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The requests spiders discover, for every job, on the operator's volume: deduplicated by fingerprint, queued per
 * slot by priority then arrival, and cut into batches to lease. One RocksDB database per volume; its column families
 * and keys are laid out in {@link StoreKeys}.
 *
 * <p>Durability. Every change is one RocksDB write batch, so a crash leaves each change whole or absent: a batch's
 * completion, the requests it discovered, their deduplication entries, the job's counters and its commit sequence
 * are committed together or not at all. Completions are written to the WAL without fsync (a crashed process loses
 * nothing; a crashed machine may lose the last moments); cuts are fsynced, because a batch that was handed out must
 * still exist after any crash. {@link #checkpoint(JobKey)} fsyncs everything before the status records a commit
 * sequence, so the status never records a sequence the disk has not got, and a store found behind its status
 * ({@link #checkNotBehind}) lost data rather than a few unsynced writes.
 *
 * <p>Concurrency. Any number of threads may call at once. The writes of one job are serialised (see
 * {@link JobState}); different jobs proceed in parallel. Closing waits for calls in progress: RocksDB must not be
 * used after it is closed.
 */
public final class DiscoveredRequestStore implements AutoCloseable {

    /**
     * The first number of a discovered batch: 2^30, far above any seed layout's batch numbers, so that a completion
     * names either kind without ambiguity.
     */
    public static final int FIRST_DISCOVERED_BATCH = Frontier.FIRST_DISCOVERED_BATCH;
    /** The default size of the block cache, which also accounts the memtables (see {@link StoreTuning}). */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FORMAT = {1};

    private final StoreTuning tuning;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle jobsFamily;
    private final ColumnFamilyHandle metaFamily;
    private final ColumnFamilyHandle seenFamily;
    private final ColumnFamilyHandle queueFamily;
    private final ColumnFamilyHandle batchesFamily;
    private final ColumnFamilyHandle completedFamily;
    /** Completions: written to the WAL, not fsynced (see the class comment). */
    private final WriteOptions unsynced = new WriteOptions();
    /** Cuts and deletions: fsynced before the call returns. */
    private final WriteOptions synced = new WriteOptions().setSync(true);
    private final Map<JobKey, JobState> jobs = new ConcurrentHashMap<>();
    /**
     * The number the next new job gets: one above the highest registered at open. A deleted job's number may be
     * given again; that is safe because its range deletion is older than any write of the new job.
     */
    private final AtomicLong nextJobNumber;
    private final ReadWriteLock openLock = new ReentrantReadWriteLock();
    private boolean closed;

    private DiscoveredRequestStore(StoreTuning tuning, RocksDB db, List<ColumnFamilyHandle> handles)
            throws RocksDBException {
        this.tuning = tuning;
        this.db = db;
        this.handles = handles;
        this.jobsFamily = family("jobs");
        this.metaFamily = family("meta");
        this.seenFamily = family("seen");
        this.queueFamily = family("queue");
        this.batchesFamily = family("batches");
        this.completedFamily = family("completed");
        byte[] format = db.get(FORMAT_KEY);
        if (format == null) {
            db.put(synced, FORMAT_KEY, FORMAT);
        } else if (!Arrays.equals(format, FORMAT)) {
            throw new IllegalStateException("the store is of format " + Arrays.toString(format)
                    + "; this operator reads format " + Arrays.toString(FORMAT));
        }
        long highest = 0;
        try (RocksIterator it = db.newIterator(jobsFamily)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                highest = Math.max(highest, StoreKeys.longOf(it.value()));
            }
            it.status();
        }
        this.nextJobNumber = new AtomicLong(highest + 1);
    }

    /** Opens the store in {@code directory}, creating it when empty; an existing store is restored whole. */
    public static DiscoveredRequestStore open(Path directory) {
        return open(directory, DEFAULT_CACHE_BYTES);
    }

    /** As {@link #open(Path)}, with a block cache of {@code cacheBytes} (memtables included). */
    public static DiscoveredRequestStore open(Path directory, long cacheBytes) {
        StoreTuning tuning = new StoreTuning(cacheBytes);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db = null;
        try {
            Files.createDirectories(directory);
            db = RocksDB.open(tuning.dbOptions(), directory.toString(), tuning.descriptors(), handles);
            return new DiscoveredRequestStore(tuning, db, handles);
        } catch (IOException | RocksDBException | RuntimeException e) {
            handles.forEach(ColumnFamilyHandle::close);
            if (db != null) {
                db.close();
            }
            tuning.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException("cannot open the store of discovered requests in " + directory,
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    /**
     * Commits the completion of a batch (a seed batch or a discovered one) with the requests its spider discovered,
     * in one write batch: the completion mark, the requests in scope and not seen before queued in their slots,
     * their fingerprints marked seen, a discovered batch's stored copy removed, and the job's counters and commit
     * sequence. A completion committed before changes nothing and says so.
     *
     * <p>Each request is checked against the scope's depth, domains and URL patterns, then deduplicated (unless
     * dont_filter, as Scrapy's scheduler does: such a request is neither checked nor marked seen), then counted
     * against maxRequests, in the order given.
     *
     * @param slotOf the slot of a request (by its host's hash, say); never negative
     * @throws IllegalArgumentException when a request to deduplicate has no fingerprint, or a slot is negative;
     *     nothing is committed then
     */
    public CommitResult commitCompletion(JobKey job, BatchId batch, List<DiscoveredRequest> requests,
            CrawlScope scope, ToIntFunction<DiscoveredRequest> slotOf) {
        return commitCompletion(job, batch, requests, scope, slotOf, request -> false);
    }

    /**
     * As {@link #commitCompletion(JobKey, BatchId, List, CrawlScope, ToIntFunction)}, with the requests the job
     * schedules by other means (its seeds, whose Scrapy fingerprints the operator cannot compute): such a request is
     * dropped as a duplicate unless dont_filter.
     */
    public CommitResult commitCompletion(JobKey job, BatchId batch, List<DiscoveredRequest> requests,
            CrawlScope scope, ToIntFunction<DiscoveredRequest> slotOf, Predicate<DiscoveredRequest> scheduledElsewhere) {
        return withJob(job, state -> commit(state, batch, requests, scope, slotOf, scheduledElsewhere));
    }

    private CommitResult commit(JobState state, BatchId batch, List<DiscoveredRequest> requests, CrawlScope scope,
            ToIntFunction<DiscoveredRequest> slotOf, Predicate<DiscoveredRequest> scheduledElsewhere)
            throws RocksDBException {
        DiscoveredCounts before = state.record.counts();
        byte[] completedKey = state.number == 0 ? null : StoreKeys.completed(state.number, batch);
        if (completedKey != null && db.get(completedFamily, completedKey) != null) {
            return CommitResult.unchanged(CommitResult.Outcome.ALREADY_COMMITTED, before.commitSequence());
        }
        byte[] stored = null;
        if (DiscoveredBatch.isDiscovered(batch)) {
            stored = state.number == 0 ? null : db.get(batchesFamily, StoreKeys.batch(state.number, batch.number()));
            if (stored == null || DiscoveredBatch.slotOf(stored) != batch.slot()) {
                return CommitResult.unchanged(CommitResult.Outcome.UNKNOWN_BATCH, before.commitSequence());
            }
        }
        try (WriteBatch write = new WriteBatch()) {
            long number = register(state, write);
            if (completedKey == null) {
                completedKey = StoreKeys.completed(number, batch);
            }

            List<DiscoveredRequest> inScope = new ArrayList<>(requests.size());
            for (DiscoveredRequest request : requests) {
                if (!request.getDontFilter() && request.getFingerprint().isEmpty()) {
                    throw new IllegalArgumentException("request " + request.getUrl() + " has no fingerprint");
                }
                if (scope.admits(request)) {
                    inScope.add(request);
                }
            }
            int outOfScope = requests.size() - inScope.size();
            byte[][] fingerprintKeys = seenKeys(number, inScope);
            boolean[] seen = seen(fingerprintKeys);

            int duplicates = 0;
            int accepted = 0;
            long remaining = scope.remaining(before.accepted());
            long arrival = state.record.nextArrival();
            Set<ByteString> inThisCommit = new HashSet<>();
            Map<Integer, Long> queuedBySlot = new HashMap<>();
            List<Integer> queuedSlots = new ArrayList<>();
            List<byte[]> queuedKeys = new ArrayList<>();
            List<byte[]> newlySeen = new ArrayList<>(inScope.size());
            for (int i = 0; i < inScope.size(); i++) {
                DiscoveredRequest request = inScope.get(i);
                boolean filtered = !request.getDontFilter();
                if (filtered && (seen[i] || scheduledElsewhere.test(request)
                        || !inThisCommit.add(request.getFingerprint()))) {
                    duplicates++;
                    continue;
                }
                if (remaining == 0) {
                    outOfScope++;
                    continue;
                }
                int slot = slotOf.applyAsInt(request);
                if (slot < 0) {
                    throw new IllegalArgumentException("slot " + slot + " for " + request.getUrl());
                }
                byte[] key = StoreKeys.queue(number, slot, request.getPriority(), arrival++);
                write.put(queueFamily, key, request.toByteArray());
                if (filtered) {
                    newlySeen.add(fingerprintKeys[i]);
                }
                queuedBySlot.merge(slot, 1L, Long::sum);
                queuedSlots.add(slot);
                queuedKeys.add(key);
                remaining--;
                accepted++;
            }
            // In key order: each insert into the seen family's memtable then starts its search from where the one
            // before it went (the skip list keeps that position), instead of from the top for every random key.
            newlySeen.sort(Arrays::compareUnsigned);
            for (byte[] key : newlySeen) {
                write.put(seenFamily, key, EMPTY);
            }
            for (Map.Entry<Integer, Long> slot : queuedBySlot.entrySet()) {
                write.put(metaFamily, StoreKeys.slotCount(number, slot.getKey()),
                        StoreKeys.longValue(state.queued(slot.getKey()) + slot.getValue()));
            }

            write.put(completedFamily, completedKey, EMPTY);
            long leased = before.leased();
            long done = before.done();
            if (stored != null) {
                // The discovered batch is finished: its stored copy goes in the same write as its completion.
                int size = DiscoveredBatch.sizeOf(stored);
                write.delete(batchesFamily, StoreKeys.batch(number, batch.number()));
                leased -= size;
                done += size;
            }
            DiscoveredCounts after = new DiscoveredCounts(before.discovered() + requests.size(),
                    before.duplicatesDropped() + duplicates, before.outOfScope() + outOfScope,
                    before.queued() + accepted, leased, done, before.commitSequence() + 1);
            JobRecord record = new JobRecord(after, arrival, state.record.nextBatchNumber());
            write.put(metaFamily, StoreKeys.record(number), record.encode());

            db.write(unsynced, write);

            state.record = record;
            for (Map.Entry<Integer, Long> slot : queuedBySlot.entrySet()) {
                state.setQueued(slot.getKey(), state.queued(slot.getKey()) + slot.getValue());
            }
            for (int i = 0; i < queuedKeys.size(); i++) {
                state.queuedAt(queuedSlots.get(i), queuedKeys.get(i));
            }
            return new CommitResult(CommitResult.Outcome.COMMITTED, accepted, duplicates, outOfScope,
                    after.commitSequence());
        }
    }

    /** The seen family's key of each request's fingerprint; null for a dont_filter request, which is not looked up. */
    private static byte[][] seenKeys(long number, List<DiscoveredRequest> requests) {
        byte[][] keys = new byte[requests.size()][];
        for (int i = 0; i < keys.length; i++) {
            DiscoveredRequest request = requests.get(i);
            if (!request.getDontFilter()) {
                keys[i] = StoreKeys.seen(number, request.getFingerprint());
            }
        }
        return keys;
    }

    /** Which of the keys the job has seen, by one multi-get (a null key: false). */
    private boolean[] seen(byte[][] keys) throws RocksDBException {
        boolean[] seen = new boolean[keys.length];
        List<byte[]> lookups = new ArrayList<>(keys.length);
        for (byte[] key : keys) {
            if (key != null) {
                lookups.add(key);
            }
        }
        if (lookups.isEmpty()) {
            return seen;
        }
        List<byte[]> values = db.multiGetAsList(Collections.nCopies(lookups.size(), seenFamily), lookups);
        for (int i = 0, found = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                seen[i] = values.get(found++) != null;
            }
        }
        return seen;
    }

    /**
     * Marks fingerprints seen, so that a discovered request for one of them (a link back to a seed, say) is dropped
     * as a duplicate. Marking one seen again changes nothing but the commit sequence.
     */
    public void markSeen(JobKey job, Collection<ByteString> fingerprints) {
        if (fingerprints.isEmpty()) {
            return;
        }
        withJob(job, state -> {
            try (WriteBatch write = new WriteBatch()) {
                long number = register(state, write);
                for (ByteString fingerprint : fingerprints) {
                    if (fingerprint.isEmpty()) {
                        throw new IllegalArgumentException("an empty fingerprint");
                    }
                    write.put(seenFamily, StoreKeys.seen(number, fingerprint), EMPTY);
                }
                JobRecord record = state.record.sequenced();
                write.put(metaFamily, StoreKeys.record(number), record.encode());
                db.write(unsynced, write);
                state.record = record;
                return null;
            }
        });
    }

    /**
     * Moves up to {@code maxSize} requests from the head of a slot's queue into a new stored batch, numbered from
     * {@link #FIRST_DISCOVERED_BATCH} up, and returns it; empty when the slot has nothing queued. The batch stays
     * stored until its completion is committed, and is fsynced before this returns: it is about to be handed out.
     */
    public Optional<DiscoveredBatch> cutBatch(JobKey job, int slot, int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, was " + maxSize);
        }
        return withJob(job, state -> state.number == 0 || state.queued(slot) == 0 ? Optional.empty()
                : Optional.of(cut(state, slot, maxSize)));
    }

    private DiscoveredBatch cut(JobState state, int slot, int maxSize) throws RocksDBException {
        long number = state.number;
        List<byte[]> keys = new ArrayList<>(maxSize);
        List<byte[]> values = new ArrayList<>(maxSize);
        byte[] head = state.head(slot);
        try (Slice end = new Slice(StoreKeys.slotEnd(number, slot));
                ReadOptions read = new ReadOptions().setIterateUpperBound(end);
                RocksIterator it = db.newIterator(queueFamily, read)) {
            for (it.seek(head != null ? head : StoreKeys.slotStart(number, slot)); it.isValid() && keys.size() < maxSize;
                    it.next()) {
                keys.add(it.key());
                values.add(it.value());
            }
            it.status();
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("slot " + slot + " of " + state.key + " counts " + state.queued(slot)
                    + " queued requests but holds none");
        }
        int batchNumber = state.record.nextBatchNumber();
        if (batchNumber == Integer.MAX_VALUE) {
            throw new IllegalStateException(state.key + " has used every discovered batch number");
        }
        try (WriteBatch write = new WriteBatch()) {
            for (byte[] key : keys) {
                // Each queue key is written once and deleted once: a single deletion lets a compaction drop the
                // request and its tombstone as soon as they meet, instead of carrying the tombstone to the last level.
                write.singleDelete(queueFamily, key);
            }
            byte[] batch = DiscoveredBatch.encode(slot, values);
            write.put(batchesFamily, StoreKeys.batch(number, batchNumber), batch);
            long queued = state.queued(slot) - keys.size();
            write.put(metaFamily, StoreKeys.slotCount(number, slot), StoreKeys.longValue(queued));
            DiscoveredCounts before = state.record.counts();
            DiscoveredCounts after = new DiscoveredCounts(before.discovered(), before.duplicatesDropped(),
                    before.outOfScope(), before.queued() - keys.size(), before.leased() + keys.size(), before.done(),
                    before.commitSequence() + 1);
            JobRecord record = new JobRecord(after, state.record.nextArrival(), batchNumber + 1);
            write.put(metaFamily, StoreKeys.record(number), record.encode());

            db.write(synced, write);

            state.record = record;
            state.setQueued(slot, queued);
            state.cutUpTo(slot, StoreKeys.after(keys.get(keys.size() - 1)));
            return DiscoveredBatch.decode(batchNumber, batch);
        }
    }

    /**
     * The job's batches cut and not completed, by number: after a restart, the batches to lease again, since whoever
     * held them may be gone.
     */
    public List<DiscoveredBatch> openBatches(JobKey job) {
        return withJob(job, state -> {
            List<DiscoveredBatch> batches = new ArrayList<>();
            if (state.number == 0) {
                return batches;
            }
            try (Slice start = new Slice(StoreKeys.job(state.number));
                    Slice end = new Slice(StoreKeys.jobEnd(state.number));
                    ReadOptions read = new ReadOptions().setIterateLowerBound(start).setIterateUpperBound(end);
                    RocksIterator it = db.newIterator(batchesFamily, read)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    batches.add(DiscoveredBatch.decode(StoreKeys.batchNumberOf(it.key()), it.value()));
                }
                it.status();
            }
            return batches;
        });
    }

    /** The job's counters and commit sequence; all zero for a job the store has nothing of. */
    public DiscoveredCounts counts(JobKey job) {
        return withJob(job, state -> state.record.counts());
    }

    /** Requests queued in one slot of the job. */
    public long queued(JobKey job, int slot) {
        return withJob(job, state -> state.queued(slot));
    }

    /** Batches cut for the job since it began, completed or not. */
    public long batchesCut(JobKey job) {
        return withJob(job, state -> (long) state.record.nextBatchNumber() - FIRST_DISCOVERED_BATCH);
    }

    /** Requests queued per slot, slots with none left out: where {@link #cutBatch} finds work. */
    public SortedMap<Integer, Long> queuedBySlot(JobKey job) {
        return withJob(job, state -> Collections.unmodifiableSortedMap(new TreeMap<>(state.queuedBySlot)));
    }

    /**
     * Checks the store against the commit sequence the job's status recorded: the store may be ahead (it commits
     * between status checkpoints), never behind.
     *
     * @throws StoreBehindStatusException when the store's sequence is below {@code statusSequence}
     */
    public void checkNotBehind(JobKey job, long statusSequence) {
        long storeSequence = counts(job).commitSequence();
        if (storeSequence < statusSequence) {
            throw new StoreBehindStatusException(job, statusSequence, storeSequence);
        }
    }

    /** Fsyncs every write so far: what a crash of the machine could otherwise still lose. */
    public void checkpoint() {
        guarded(() -> {
            db.flushWal(true);
            return null;
        });
    }

    /**
     * The job's counts, made durable: read first, then everything written is fsynced, so the returned commit sequence
     * is on disk. The status checkpoint records this and never a sequence the store could lose.
     */
    public DiscoveredCounts checkpoint(JobKey job) {
        DiscoveredCounts counts = counts(job);
        checkpoint();
        return counts;
    }

    /** Removes everything of the job: one range deletion per column family, fsynced. */
    public void deleteJob(JobKey job) {
        withJob(job, state -> {
            if (state.number != 0) {
                try (WriteBatch write = new WriteBatch()) {
                    byte[] start = StoreKeys.job(state.number);
                    byte[] end = StoreKeys.jobEnd(state.number);
                    for (ColumnFamilyHandle family : List.of(metaFamily, seenFamily, queueFamily, batchesFamily,
                            completedFamily)) {
                        write.deleteRange(family, start, end);
                    }
                    write.delete(jobsFamily, job.encode());
                    db.write(synced, write);
                }
            }
            state.removed = true;
            jobs.remove(job, state);
            return null;
        });
    }

    /** Every job the store holds something of: for removing those whose CrawlJob no longer exists. */
    public List<JobKey> jobs() {
        return guarded(() -> {
            List<JobKey> keys = new ArrayList<>();
            try (RocksIterator it = db.newIterator(jobsFamily)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    keys.add(JobKey.decode(it.key()));
                }
                it.status();
            }
            return keys;
        });
    }

    /** Waits for calls in progress, fsyncs the WAL and closes the database. */
    @Override
    public void close() {
        openLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                throw failure(e);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
                unsynced.close();
                synced.close();
                tuning.close();
            }
        } finally {
            openLock.writeLock().unlock();
        }
    }

    /** Gives the job a number (in {@code write}, to be committed with its first data) unless it has one. */
    private long register(JobState state, WriteBatch write) throws RocksDBException {
        if (state.number == 0) {
            long number = nextJobNumber.getAndIncrement();
            write.put(jobsFamily, state.key.encode(), StoreKeys.longValue(number));
            // Set now, undone below if the write fails: the caller's keys are built from it.
            state.number = number;
        }
        return state.number;
    }

    private interface JobCall<T> {
        T run(JobState state) throws RocksDBException;
    }

    private interface StoreCall<T> {
        T run() throws RocksDBException;
    }

    /** Runs {@code call} holding the job's monitor, with the job's state read from the store the first time. */
    private <T> T withJob(JobKey job, JobCall<T> call) {
        return guarded(() -> {
            while (true) {
                JobState state = jobs.computeIfAbsent(job, JobState::new);
                synchronized (state) {
                    if (state.removed) {
                        continue;
                    }
                    if (!state.loaded) {
                        load(state);
                    }
                    long numberBefore = state.number;
                    try {
                        return call.run(state);
                    } catch (RocksDBException | RuntimeException e) {
                        // A job registered by a write that failed is not registered.
                        state.number = numberBefore;
                        throw e;
                    }
                }
            }
        });
    }

    private void load(JobState state) throws RocksDBException {
        byte[] number = db.get(jobsFamily, state.key.encode());
        if (number != null) {
            state.number = StoreKeys.longOf(number);
            byte[] record = db.get(metaFamily, StoreKeys.record(state.number));
            if (record == null) {
                throw new IllegalStateException(state.key + " is registered in the store without its record");
            }
            state.record = JobRecord.decode(record);
            try (Slice start = new Slice(StoreKeys.slotCountsStart(state.number));
                    Slice end = new Slice(StoreKeys.slotCountsEnd(state.number));
                    ReadOptions read = new ReadOptions().setIterateLowerBound(start).setIterateUpperBound(end);
                    RocksIterator it = db.newIterator(metaFamily, read)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    state.setQueued(StoreKeys.slotOfSlotCount(it.key()), StoreKeys.longOf(it.value()));
                }
                it.status();
            }
        }
        state.loaded = true;
    }

    private <T> T guarded(StoreCall<T> call) {
        openLock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the store of discovered requests is closed");
            }
            return call.run();
        } catch (RocksDBException e) {
            throw failure(e);
        } finally {
            openLock.readLock().unlock();
        }
    }

    private static UncheckedIOException failure(RocksDBException e) {
        return new UncheckedIOException("the store of discovered requests failed: " + e.getMessage(),
                new IOException(e));
    }

    private ColumnFamilyHandle family(String name) {
        return handles.get(StoreTuning.FAMILIES.indexOf(name));
    }
}
