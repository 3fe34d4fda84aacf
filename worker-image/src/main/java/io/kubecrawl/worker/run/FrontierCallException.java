package io.kubecrawl.worker.run;

import java.time.Duration;
import java.util.Optional;

import io.grpc.Status;
import io.kubecrawl.worker.OneLine;
import io.kubecrawl.worker.UntrustedOperatorCertificate;

/**
 * A call to the operator's FrontierService that did not succeed and will not be retried: it was refused
 * (UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT, ...) or the operator stayed unavailable for the whole
 * {@code --max-wait}. The message is one line for the agent's log.
 */
public final class FrontierCallException extends Exception {
    private final Status.Code code;

    private FrontierCallException(String message, Status.Code code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    static FrontierCallException refused(String call, Throwable failure) {
        Status status = Status.fromThrowable(failure);
        Optional<String> untrusted = UntrustedOperatorCertificate.reason(failure);
        if (untrusted.isPresent()) {
            return new FrontierCallException(call + " failed: " + untrusted.get(), status.getCode(), failure);
        }
        return new FrontierCallException("the operator refused " + call + ": " + describe(status), status.getCode(),
                failure);
    }

    static FrontierCallException unreachable(String call, Throwable failure, Duration maxWait) {
        Status status = Status.fromThrowable(failure);
        return new FrontierCallException("the operator did not answer " + call + " for " + text(maxWait)
                + " (--max-wait), last " + describe(status), status.getCode(), failure);
    }

    /** The gRPC status code of the last failure. */
    public Status.Code code() {
        return code;
    }

    /** A gRPC failure in one line: its code and description. */
    public static String describe(Throwable failure) {
        return describe(Status.fromThrowable(failure));
    }

    static String describe(Status status) {
        String description = status.getDescription();
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null) {
            // gRPC says only "io exception"; its cause says what happened ("Connection refused: /10.0.0.7:9090").
            description = description == null ? cause.getMessage() : description + ": " + cause.getMessage();
        }
        return description == null ? status.getCode().name()
                : status.getCode() + ": " + OneLine.of(description);
    }

    /** A duration as a person reads it: 500 ms, 45 s, 10 min. */
    static String text(Duration duration) {
        if (duration.toMillis() < 1000) {
            return duration.toMillis() + " ms";
        }
        if (duration.toSeconds() >= 60 && duration.toSeconds() % 60 == 0 && duration.toMillisPart() == 0) {
            return duration.toMinutes() + " min";
        }
        return duration.toSeconds() + " s";
    }
}
