package io.kubecrawl.operator.frontier;

import java.util.List;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The layouts of the jobs' frontiers, shared by jobs with the same seeds and layout settings. Users often give many
 * jobs one seed list (a ConfigMap they all name): its lines are then parsed, checked and split once, and its jobs'
 * frontiers hold one layout between them instead of a copy each. A layout is immutable, so sharing it is safe.
 *
 * <p>Kept by weak reference: a layout stays here while some frontier uses it (it is in memory anyway) and goes with
 * the last one, so this holds no memory of its own beyond the keys, and at most {@link #MAX_KEPT} of those.
 */
@Singleton
public class FrontierLayouts {

    /** Far more than the distinct seed lists of the unfinished jobs of one cluster; keys are a few hundred bytes. */
    static final int MAX_KEPT = 10_000;

    /**
     * @param seeds names the seed lines so that equal names mean equal lines, for as long as a layout of them is in
     *     use: a ConfigMap's key at one resourceVersion, or the digest of the lines
     */
    private record Key(String seeds, LayoutSettings settings) {
    }

    private final Cache<Key, FrontierLayout> layouts = Caffeine.newBuilder().weakValues().maximumSize(MAX_KEPT)
            .build();

    /**
     * The layout of the seed lines that {@code seeds} names, with {@code settings}: one in use if there is one, or
     * one built from {@code lines}. Jobs asking at once for the same one wait for a single build.
     *
     * @param seeds see {@link Key#seeds}: a name that changes whenever the lines can have changed
     * @param lines reads the lines; called only when no layout of these seeds and settings is in use
     * @throws InvalidSeedException when a line is not a request, as {@link SeedList#parse} says; nothing is kept
     *     then, so each job of those seeds is told the same in its own reconcile
     */
    public FrontierLayout layout(String seeds, LayoutSettings settings, Supplier<List<String>> lines) {
        return layouts.get(new Key(seeds, settings), key -> FrontierLayout.of(SeedList.parse(lines.get()),
                settings));
    }
}
