package io.kubecrawl.operator.frontier.discovered;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the store keeps in memory of one job: a copy of its durable record and per-slot queue sizes (read once, then
 * kept in step with every write), and where each slot's live queue entries begin. Its monitor serialises the job's
 * writes: a commit reads the accepted total and adds to it, which is what keeps maxRequests exact when completions
 * arrive at once, and a cut reads the head of a queue and removes it.
 *
 * <p>Every field is changed only after the write batch that makes the change durable succeeded, so a failed write
 * leaves memory as the disk is.
 */
final class JobState {

    final JobKey key;
    /** Whether {@link #number} and the rest were read from the store. */
    boolean loaded;
    /** The job's number in every key, or 0 while the job has nothing stored. */
    long number;
    JobRecord record = JobRecord.NEW;
    final SortedMap<Integer, Long> queuedBySlot = new TreeMap<>();
    /** Set once the job is deleted: a caller that waited for this monitor takes the job's new state instead. */
    boolean removed;
    /**
     * Per slot, a key at or below the slot's first live queue entry, when known. A queue is consumed from its head, so
     * its first keys are deleted ones whose tombstones stay until a compaction drops them; a cut that started at the
     * slot's first possible key would walk over all of them. Cuts start here instead. Memory only: after a restart
     * the first cut of each slot starts at the slot's beginning once.
     */
    private final Map<Integer, byte[]> heads = new HashMap<>();

    JobState(JobKey key) {
        this.key = key;
    }

    byte[] head(int slot) {
        return heads.get(slot);
    }

    /** A cut removed everything before {@code next}. */
    void cutUpTo(int slot, byte[] next) {
        heads.put(slot, next);
    }

    /** A request was queued at {@code key}: if it sorts before the known head, it is the new head. */
    void queuedAt(int slot, byte[] key) {
        byte[] head = heads.get(slot);
        if (head != null && Arrays.compareUnsigned(key, head) < 0) {
            heads.put(slot, key);
        }
    }

    long queued(int slot) {
        return queuedBySlot.getOrDefault(slot, 0L);
    }

    void setQueued(int slot, long count) {
        if (count == 0) {
            queuedBySlot.remove(slot);
        } else {
            queuedBySlot.put(slot, count);
        }
    }
}
