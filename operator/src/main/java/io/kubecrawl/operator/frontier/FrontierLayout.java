package io.kubecrawl.operator.frontier;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * The seeds of a job split into slots and each slot into numbered batches. Derived, never stored: the same seeds and
 * settings always give the same layout, which is what lets the status record only batch numbers.
 *
 * <p>Every unfinished job's layout is held in memory for as long as the operator runs, so it is kept compact: each
 * slot's request lines as one UTF-8 byte array and the end of each line, about the size of the seed file, rather
 * than an object per request (a seed list of 10,000 URLs takes some 330 KB instead of 1.3 MB). A batch's requests are
 * decoded when it is leased.
 */
public final class FrontierLayout {

    /** One slot's request lines, back to back, and where each ends. */
    private record Slot(byte[] lines, int[] ends) {
        int size() {
            return ends.length;
        }

        String line(int index) {
            int start = index == 0 ? 0 : ends[index - 1];
            return new String(lines, start, ends[index] - start, StandardCharsets.UTF_8);
        }
    }

    private final List<Slot> slots;
    private final int batchSize;
    private final long requests;
    private final String seedsDigest;
    private volatile SeedUrlIndex seedUrls;

    private FrontierLayout(List<Slot> slots, int batchSize, long requests, String seedsDigest) {
        this.slots = slots;
        this.batchSize = batchSize;
        this.requests = requests;
        this.seedsDigest = seedsDigest;
    }

    public static FrontierLayout of(List<SeedRequest> seeds, LayoutSettings settings) {
        return of(seeds, settings.partitioning(), settings.slots(), settings.batchSize());
    }

    public static FrontierLayout of(List<SeedRequest> seeds, Partitioning partitioning, int slots, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        SlotAssigner assigner = new SlotAssigner(partitioning, slots);
        List<ByteArrayOutputStream> lines = new ArrayList<>(assigner.slots());
        List<List<Integer>> ends = new ArrayList<>(assigner.slots());
        for (int i = 0; i < assigner.slots(); i++) {
            lines.add(new ByteArrayOutputStream());
            ends.add(new ArrayList<>());
        }
        MessageDigest digest = Sha256.newDigest();
        byte[] newline = {'\n'};
        for (SeedRequest seed : seeds) {
            byte[] line = seed.line().getBytes(StandardCharsets.UTF_8);
            int slot = assigner.slotOf(seed);
            lines.get(slot).writeBytes(line);
            ends.get(slot).add(lines.get(slot).size());
            digest.update(line);
            digest.update(newline);
        }
        List<Slot> bySlot = new ArrayList<>(assigner.slots());
        for (int i = 0; i < assigner.slots(); i++) {
            bySlot.add(new Slot(lines.get(i).toByteArray(), ends.get(i).stream().mapToInt(Integer::intValue)
                    .toArray()));
        }
        return new FrontierLayout(List.copyOf(bySlot), batchSize, seeds.size(),
                Sha256.DIGEST_PREFIX + Sha256.hex(digest));
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

    /** Requests per batch: of every seed batch but a slot's last, and at most of a batch of discovered requests. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Whether some seed has this URL. The index it needs is built on the first question, since only jobs whose
     * discovered requests go through the frontier ask, and is shared, as the layout is, by the jobs of these seeds.
     */
    public boolean hasSeedUrl(String url) {
        SeedUrlIndex index = seedUrls;
        if (index == null) {
            synchronized (this) {
                index = seedUrls;
                if (index == null) {
                    index = SeedUrlIndex.of(slots.stream().mapToInt(Slot::size).toArray(),
                            (slot, i) -> SeedList.request(slots.get(slot).line(i)).url());
                    seedUrls = index;
                }
            }
        }
        return index.contains(url);
    }

    /** The batch's requests, decoded from the slot's lines (which were checked when the layout was built). */
    public List<SeedRequest> batch(BatchId id) {
        Slot slot = slots.get(id.slot());
        int from = id.number() * batchSize;
        int to = Math.min(from + batchSize, slot.size());
        List<SeedRequest> batch = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            batch.add(SeedList.request(slot.line(i)));
        }
        return batch;
    }

    /** How many requests the batch has, without decoding them. */
    public int size(BatchId id) {
        int from = id.number() * batchSize;
        return Math.max(0, Math.min(from + batchSize, slots.get(id.slot()).size()) - from);
    }

    public boolean contains(BatchId id) {
        return id.slot() >= 0 && id.slot() < slots.size() && id.number() >= 0 && id.number() < batchCount(id.slot());
    }
}
