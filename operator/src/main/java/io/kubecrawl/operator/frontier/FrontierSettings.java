package io.kubecrawl.operator.frontier;

import java.time.Duration;

/** The frontier settings of one job, with the CRD defaults applied. */
public record FrontierSettings(int maxBatchesPerWorker, Duration leaseDuration, int maxBatchAttempts,
        Duration retryAfter) {
}
