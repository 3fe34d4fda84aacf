package io.kubecrawl.operator.frontier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * The seeds of a job split into slots and each slot into numbered batches. Derived, never stored: the same seeds and
 * settings always give the same layout, which is what lets the status record only batch numbers.
 */
public final class FrontierLayout {

    private final List<List<SeedRequest>> slots;
    private final int batchSize;
    private final long requests;
    private final String seedsDigest;

    private FrontierLayout(List<List<SeedRequest>> slots, int batchSize, long requests, String seedsDigest) {
        this.slots = slots;
        this.batchSize = batchSize;
        this.requests = requests;
        this.seedsDigest = seedsDigest;
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
        MessageDigest digest = Sha256.newDigest();
        for (SeedRequest seed : seeds) {
            bySlot.get(assigner.slotOf(seed)).add(seed);
            digest.update((seed.line() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new FrontierLayout(bySlot, batchSize, seeds.size(), Sha256.DIGEST_PREFIX + Sha256.hex(digest));
    }

    /**
     * {@code sha256:} of the seed requests' lines, in order, as written: what a restarted operator compares with the
     * digest the status recorded, since the slots and batches alone can match seeds that differ.
     */
    public String seedsDigest() {
        return seedsDigest;
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
