package io.kubecrawl.operator.frontier;

import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.crd.v1alpha1.Partitioning;

/**
 * The seeds of a job split into slots and each slot into numbered batches. Derived, never stored: the same seeds and
 * settings always give the same layout, which is what lets the status record only batch numbers.
 */
public final class FrontierLayout {

    private final List<List<SeedRequest>> slots;
    private final int batchSize;
    private final long requests;

    private FrontierLayout(List<List<SeedRequest>> slots, int batchSize, long requests) {
        this.slots = slots;
        this.batchSize = batchSize;
        this.requests = requests;
    }

    public static FrontierLayout of(List<SeedRequest> seeds, Partitioning partitioning, int slots, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        SlotAssigner assigner = new SlotAssigner(partitioning, slots);
        List<List<SeedRequest>> bySlot = new ArrayList<>(assigner.slots());
        for (int i = 0; i < assigner.slots(); i++) {
            bySlot.add(new ArrayList<>());
        }
        for (SeedRequest seed : seeds) {
            bySlot.get(assigner.slotOf(seed)).add(seed);
        }
        return new FrontierLayout(bySlot, batchSize, seeds.size());
    }

    public int slots() {
        return slots.size();
    }

    public int batchCount(int slot) {
        return (slots.get(slot).size() + batchSize - 1) / batchSize;
    }

    public int totalBatches() {
        int total = 0;
        for (int slot = 0; slot < slots.size(); slot++) {
            total += batchCount(slot);
        }
        return total;
    }

    public long requests() {
        return requests;
    }

    public List<SeedRequest> batch(BatchId id) {
        List<SeedRequest> slot = slots.get(id.slot());
        int from = id.number() * batchSize;
        return slot.subList(from, Math.min(from + batchSize, slot.size()));
    }

    public boolean contains(BatchId id) {
        return id.slot() >= 0 && id.slot() < slots.size() && id.number() >= 0 && id.number() < batchCount(id.slot());
    }
}
