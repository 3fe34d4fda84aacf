package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.RetryableCodes;
import io.kubecrawl.worker.UntrustedOperatorCertificate;

/**
 * Which failures another attempt may cure, and the retry policy built on that: exponential backoff with jitter, a
 * bounded number of attempts. Everything not listed as transient is permanent and stops the sync at once: bad
 * credentials (UNAUTHENTICATED, PERMISSION_DENIED), an unknown job or bundle (NOT_FOUND), a refused manifest, a local
 * I/O error.
 */
final class Failures {

    private Failures() {
    }

    static boolean isTransient(Throwable failure) {
        if (failure instanceof TransientFailure) {
            return true;
        }
        if (UntrustedOperatorCertificate.isUntrusted(failure)) {
            return false;
        }
        if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
            // A sync only reads, and resumes where a cut stream stopped: a cut is worth another attempt too.
            return RetryableCodes.isRetryableRead(Status.fromThrowable(failure).getCode());
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

    /** An I/O failure in one line: its message names the path, the exception's type says what was wrong. */
    static String describeIo(IOException failure) {
        String type = failure.getClass().getSimpleName();
        return failure.getMessage() == null ? type : type + ": " + failure.getMessage();
    }

    /** A gRPC failure in one line: its code and description, as the user needs to read them. */
    static String describe(Throwable failure) {
        Optional<String> untrusted = UntrustedOperatorCertificate.reason(failure);
        if (untrusted.isPresent()) {
            return untrusted.get();
        }
        if (failure instanceof StatusRuntimeException || failure instanceof StatusException) {
            Status status = Status.fromThrowable(failure);
            return status.getDescription() == null ? status.getCode().name()
                    : status.getCode() + ": " + status.getDescription();
        }
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
