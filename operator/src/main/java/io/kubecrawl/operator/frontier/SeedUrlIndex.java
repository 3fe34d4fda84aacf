package io.kubecrawl.operator.frontier;

import java.util.Arrays;

/**
 * Which URLs a layout's seeds have, asked for every request a spider discovers (a discovered request for a seed's URL
 * is a duplicate of the seed). Held as two primitive arrays, 16 bytes a seed, rather than a set of strings (some 100
 * bytes a seed): every unfinished job's frontier has one, and after a restart a thousand jobs of 10,000 seeds each
 * would otherwise hold a gigabyte of them. A hash match is confirmed against the seed's own line, so the answer is
 * exact.
 */
final class SeedUrlIndex {

    /** Reads a seed's URL back from its position, as {@link #positionOf} packed it. */
    interface Seeds {
        String urlAt(int slot, int index);
    }

    private final long[] hashes;
    /** Parallel to {@link #hashes}: where each seed is, as {@link #positionOf} packs it. */
    private final long[] positions;
    private final Seeds seeds;

    private SeedUrlIndex(long[] hashes, long[] positions, Seeds seeds) {
        this.hashes = hashes;
        this.positions = positions;
        this.seeds = seeds;
    }

    /** @param slotSizes how many seeds each slot has, for {@code seeds} to read each one's URL back */
    static SeedUrlIndex of(int[] slotSizes, Seeds seeds) {
        int total = Arrays.stream(slotSizes).sum();
        long[][] pairs = new long[total][];
        int next = 0;
        for (int slot = 0; slot < slotSizes.length; slot++) {
            for (int index = 0; index < slotSizes[slot]; index++) {
                pairs[next++] = new long[] {hash(seeds.urlAt(slot, index)), positionOf(slot, index)};
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        long[] hashes = new long[total];
        long[] positions = new long[total];
        for (int i = 0; i < total; i++) {
            hashes[i] = pairs[i][0];
            positions[i] = pairs[i][1];
        }
        return new SeedUrlIndex(hashes, positions, seeds);
    }

    boolean contains(String url) {
        long hash = hash(url);
        int found = Arrays.binarySearch(hashes, hash);
        if (found < 0) {
            return false;
        }
        // Equal hashes sit side by side; binarySearch may land on any of them.
        int first = found;
        while (first > 0 && hashes[first - 1] == hash) {
            first--;
        }
        for (int i = first; i < hashes.length && hashes[i] == hash; i++) {
            if (seeds.urlAt((int) (positions[i] >>> 32), (int) positions[i]).equals(url)) {
                return true;
            }
        }
        return false;
    }

    private static long positionOf(int slot, int index) {
        return ((long) slot << 32) | (index & 0xFFFF_FFFFL);
    }

    /** 64-bit FNV-1a over the URL's chars: spread enough that a confirmation against the line is rare. */
    private static long hash(String url) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < url.length(); i++) {
            hash ^= url.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
