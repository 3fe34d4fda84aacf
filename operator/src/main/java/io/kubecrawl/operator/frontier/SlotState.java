package io.kubecrawl.operator.frontier;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.kubecrawl.crd.v1alpha1.BatchAttempts;
import io.kubecrawl.crd.v1alpha1.SlotProgress;

/**
 * Which batches of one slot are finished, as a watermark plus the few finished batches above it, and the failed
 * attempts of unfinished ones. This is exactly what the status records of the slot.
 */
final class SlotState {

    private final int slot;
    private final int batchCount;
    private int watermark;
    private final TreeSet<Integer> completedAbove = new TreeSet<>();
    private final TreeSet<Integer> failed = new TreeSet<>();
    private final Map<Integer, BatchAttempts> attempts = new TreeMap<>();

    SlotState(int slot, int batchCount) {
        this.slot = slot;
        this.batchCount = batchCount;
    }

    static SlotState restore(int batchCount, SlotProgress progress) {
        int slot = progress.getSlot();
        SlotState state = new SlotState(slot, batchCount);
        int watermark = progress.getWatermark() == null ? 0 : progress.getWatermark();
        if (watermark < 0 || watermark > batchCount) {
            throw new InconsistentFrontierException("slot " + slot + " has watermark " + watermark + " but "
                    + batchCount + " batches");
        }
        state.watermark = watermark;
        for (Integer n : nullSafe(progress.getCompleted())) {
            state.checkNumber(n, "completed");
            if (n >= watermark) {
                state.completedAbove.add(n);
            }
        }
        for (Integer n : nullSafe(progress.getFailed())) {
            state.checkNumber(n, "failed");
            state.failed.add(n);
        }
        for (BatchAttempts a : nullSafe(progress.getAttempts())) {
            state.checkNumber(a.getBatch(), "attempted");
            state.attempts.put(a.getBatch(), a);
        }
        state.advance();
        return state;
    }

    int slot() {
        return slot;
    }

    int batchCount() {
        return batchCount;
    }

    boolean isFinished(int number) {
        return number < watermark || completedAbove.contains(number) || failed.contains(number);
    }

    boolean isDone() {
        return watermark >= batchCount;
    }

    /** The first unfinished batch at or above the watermark for which {@code taken} says no. */
    int nextAvailable(java.util.function.IntPredicate taken) {
        for (int n = watermark; n < batchCount; n++) {
            if (!isFinished(n) && !taken.test(n)) {
                return n;
            }
        }
        return -1;
    }

    void complete(int number) {
        completedAbove.add(number);
        attempts.remove(number);
        advance();
    }

    /** @return the failed attempts so far, this one included */
    int recordFailure(int number, String error) {
        BatchAttempts previous = attempts.get(number);
        int count = (previous == null ? 0 : previous.getAttempts()) + 1;
        attempts.put(number, new BatchAttempts(number, count, error));
        return count;
    }

    void giveUp(int number) {
        failed.add(number);
        completedAbove.remove(number);
        advance();
    }

    int finishedCount() {
        int failedAbove = (int) failed.stream().filter(n -> n >= watermark && !completedAbove.contains(n)).count();
        return watermark + completedAbove.size() + failedAbove;
    }

    int failedCount() {
        return failed.size();
    }

    /** The status of this slot, or null when it has no progress worth recording. */
    SlotProgress toProgress() {
        if (watermark == 0 && completedAbove.isEmpty() && failed.isEmpty() && attempts.isEmpty()) {
            return null;
        }
        return new SlotProgress(slot, watermark, list(completedAbove), list(failed),
                attempts.isEmpty() ? null : new ArrayList<>(attempts.values()));
    }

    private void advance() {
        while (watermark < batchCount && (completedAbove.contains(watermark) || failed.contains(watermark))) {
            completedAbove.remove(watermark);
            watermark++;
        }
    }

    private void checkNumber(Integer n, String what) {
        if (n == null || n < 0 || n >= batchCount) {
            throw new InconsistentFrontierException("slot " + slot + " lists " + what + " batch " + n + " but has "
                    + batchCount + " batches");
        }
    }

    private static List<Integer> list(TreeSet<Integer> set) {
        return set.isEmpty() ? null : new ArrayList<>(set);
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
