package io.kubecrawl.operator.frontier.discovered;

import java.nio.ByteBuffer;
import java.util.Arrays;

import com.google.protobuf.ByteString;
import io.kubecrawl.operator.frontier.BatchId;

/**
 * How the store's keys are laid out. RocksDB keeps keys in bytewise order, so every number is written big-endian
 * (bytewise order is then numeric order) and every key of a job starts with the job's number: a job's entries are one
 * contiguous range in each column family, which {@link DiscoveredRequestStore#deleteJob} removes with one range
 * deletion and no job's iteration ever reaches another's.
 *
 * <pre>
 * jobs       namespace NUL name NUL uid                       -> job number (8)
 * meta       job(8) 0x00                                      -> the job's {@link JobRecord}
 *            job(8) 0x01 slot(4)                              -> requests queued in the slot (8)
 * seen       job(8) fingerprint                               -> (empty)
 * queue      job(8) slot(4) priority order(4) arrival(8)      -> the DiscoveredRequest, as sent
 * batches    job(8) batch number(4)                           -> a cut batch (see {@link DiscoveredBatch#encode})
 * completed  job(8) slot(4) batch number(4)                   -> (empty)
 * </pre>
 */
final class StoreKeys {

    static final int JOB_BYTES = Long.BYTES;
    private static final byte RECORD = 0;
    private static final byte SLOT_COUNT = 1;

    private StoreKeys() {
    }

    static byte[] job(long job) {
        return ByteBuffer.allocate(JOB_BYTES).putLong(job).array();
    }

    /** The first key after every key of the job: the end of its range. */
    static byte[] jobEnd(long job) {
        return job(job + 1);
    }

    static long jobOf(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }

    static byte[] record(long job) {
        return ByteBuffer.allocate(JOB_BYTES + 1).putLong(job).put(RECORD).array();
    }

    /** The length of a slot-count key, the longest key of the meta family. */
    static final int SLOT_COUNT_BYTES = JOB_BYTES + 1 + Integer.BYTES;

    static byte[] slotCount(long job, int slot) {
        return ByteBuffer.allocate(JOB_BYTES + 1 + Integer.BYTES).putLong(job).put(SLOT_COUNT).putInt(slot).array();
    }

    static byte[] slotCountsStart(long job) {
        return ByteBuffer.allocate(JOB_BYTES + 1).putLong(job).put(SLOT_COUNT).array();
    }

    static byte[] slotCountsEnd(long job) {
        return ByteBuffer.allocate(JOB_BYTES + 1).putLong(job).put((byte) (SLOT_COUNT + 1)).array();
    }

    static int slotOfSlotCount(byte[] key) {
        return ByteBuffer.wrap(key, JOB_BYTES + 1, Integer.BYTES).getInt();
    }

    static byte[] seen(long job, ByteString fingerprint) {
        byte[] key = new byte[JOB_BYTES + fingerprint.size()];
        ByteBuffer.wrap(key).putLong(job);
        fingerprint.copyTo(key, JOB_BYTES);
        return key;
    }

    /** How many bytes of a queue key name its run: the job, slot and priority that arrival numbers then order. */
    static final int QUEUE_RUN_BYTES = JOB_BYTES + Integer.BYTES * 2;

    /**
     * A queue entry: iterating a slot's keys in order gives its requests by priority, higher first, and among equal
     * priorities in arrival order. The priority is stored as {@code priority ^ 0x7FFFFFFF}: that maps
     * {@link Integer#MAX_VALUE} to 0 and {@link Integer#MIN_VALUE} to 0xFFFFFFFF, reversing the signed order into
     * ascending unsigned bytes.
     */
    static byte[] queue(long job, int slot, int priority, long arrival) {
        return ByteBuffer.allocate(JOB_BYTES + Integer.BYTES * 2 + Long.BYTES).putLong(job).putInt(slot)
                .putInt(priority ^ 0x7FFFFFFF).putLong(arrival).array();
    }

    static byte[] slotStart(long job, int slot) {
        return ByteBuffer.allocate(JOB_BYTES + Integer.BYTES).putLong(job).putInt(slot).array();
    }

    /** Slots are never negative, so {@code slot + 1} still fits four bytes read as unsigned. */
    static byte[] slotEnd(long job, int slot) {
        return ByteBuffer.allocate(JOB_BYTES + Integer.BYTES).putLong(job).putInt(slot + 1).array();
    }

    static byte[] batch(long job, int number) {
        return ByteBuffer.allocate(JOB_BYTES + Integer.BYTES).putLong(job).putInt(number).array();
    }

    static int batchNumberOf(byte[] key) {
        return ByteBuffer.wrap(key, JOB_BYTES, Integer.BYTES).getInt();
    }

    static byte[] completed(long job, BatchId batch) {
        return ByteBuffer.allocate(JOB_BYTES + Integer.BYTES * 2).putLong(job).putInt(batch.slot())
                .putInt(batch.number()).array();
    }

    /** The smallest key greater than {@code key}. */
    static byte[] after(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static byte[] longValue(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static long longOf(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }
}
