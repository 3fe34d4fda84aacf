package io.kubecrawl.worker.sync;

import java.nio.file.Path;
import java.time.Duration;

import io.kubecrawl.worker.BundleDigest;

/**
 * What one sync does and how hard it tries.
 *
 * @param bundle the pinned bundle digest: the manifest received must hash to it
 * @param target the directory that receives the bundle
 * @param parallelism files downloaded at once
 * @param maxAttempts attempts per file (and for the manifest) before the sync gives up
 * @param retryDelay the first backoff delay; each further one doubles, with jitter
 * @param retryMaxDelay the longest backoff delay
 * @param callTimeout deadline of a unary call (GetManifest)
 * @param idleTimeout how long a file stream may deliver nothing before it counts as broken
 */
public record SyncSettings(BundleDigest bundle, Path target, int parallelism, int maxAttempts, Duration retryDelay,
        Duration retryMaxDelay, Duration callTimeout, Duration idleTimeout) {

    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(250);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(15);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public SyncSettings {
        if (parallelism < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("parallelism and maxAttempts must be at least 1");
        }
        if (retryDelay.isNegative() || retryDelay.isZero()) {
            throw new IllegalArgumentException("retryDelay must be positive");
        }
    }

    public static SyncSettings defaults(BundleDigest bundle, Path target, int parallelism, int maxAttempts) {
        return new SyncSettings(bundle, target, parallelism, maxAttempts, DEFAULT_RETRY_DELAY, DEFAULT_RETRY_MAX_DELAY,
                DEFAULT_CALL_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }
}
