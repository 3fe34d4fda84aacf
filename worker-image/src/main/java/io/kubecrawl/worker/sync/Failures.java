package io.kubecrawl.worker.sync;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/**
 * Which failures another attempt may cure, and the retry policy built on that: exponential backoff with jitter, a
 * bounded number of attempts. Everything not listed as transient is permanent and stops the sync at once: bad
 * credentials (UNAUTHENTICATED, PERMISSION_DENIED), an unknown job or bundle (NOT_FOUND), a refused manifest, a local
 * I/O error.
 */
final class Failures {

    /**
     * Codes a retry may cure. Besides the ones the protocol names as transient, a stream cut by a proxy or by the
     * server going away surfaces as CANCELLED, INTERNAL, UNKNOWN or DATA_LOSS on the client.
     */
    static final Set<Status.Code> TRANSIENT_CODES = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED, Status.Code.CANCELLED, Status.Code.INTERNAL,
            Status.Code.UNKNOWN, Status.Code.DATA_LOSS);

    private Failures() {
    }

    static boolean isTransient(Throwable failure) {
        if (failure instanceof TransientFailure) {
            return true;
        }
        if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
            return TRANSIENT_CODES.contains(Status.fromThrowable(failure).getCode());
        }
        return false;
    }

    /** The retry policy of one file or one manifest fetch; {@code onRetry} runs before each further attempt. */
    static <R> RetryPolicy<R> retryPolicy(SyncSettings settings, Runnable onRetry) {
        return retryPolicy(settings, settings.maxAttempts(), onRetry);
    }

    /** As {@link #retryPolicy(SyncSettings, Runnable)}, with {@code maxAttempts} instead of the settings' own. */
    static <R> RetryPolicy<R> retryPolicy(SyncSettings settings, int maxAttempts, Runnable onRetry) {
        Duration delay = settings.retryDelay();
        Duration maxDelay = settings.retryMaxDelay().compareTo(delay) > 0 ? settings.retryMaxDelay()
                : delay.plusMillis(1);
        RetryPolicyBuilder<R> builder = RetryPolicy.<R>builder()
                .handleIf(Failures::isTransient)
                .withMaxAttempts(maxAttempts)
                .withBackoff(delay, maxDelay)
                .withJitter(0.5)
                .onRetry(event -> onRetry.run());
        return builder.build();
    }

    /** A gRPC failure in one line: its code and description, as the user needs to read them. */
    static String describe(Throwable failure) {
        if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
            Status status = Status.fromThrowable(failure);
            return status.getDescription() == null ? status.getCode().name()
                    : status.getCode() + ": " + status.getDescription();
        }
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
