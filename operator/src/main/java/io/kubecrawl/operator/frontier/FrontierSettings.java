package io.kubecrawl.operator.frontier;

import java.time.Duration;

/**
 * The frontier settings of one job, with the CRD defaults applied.
 *
 * @param maxLeasesPerSlot the most batches of one slot leased at once
 */
public record FrontierSettings(int maxBatchesPerWorker, Duration leaseDuration, int maxBatchAttempts,
        Duration retryAfter, int maxLeasesPerSlot) {

    public FrontierSettings {
        if (maxLeasesPerSlot < 1) {
            throw new IllegalArgumentException("maxLeasesPerSlot must be at least 1, was " + maxLeasesPerSlot);
        }
    }

    /** Settings with no limit of leases per slot but the worker's own: as frontiers leased before the limit existed. */
    public FrontierSettings(int maxBatchesPerWorker, Duration leaseDuration, int maxBatchAttempts,
            Duration retryAfter) {
        this(maxBatchesPerWorker, leaseDuration, maxBatchAttempts, retryAfter, Integer.MAX_VALUE);
    }
}
