package io.kubecrawl.protocol;

import java.util.Set;

import io.grpc.Status;

/**
 * Which gRPC status codes a worker retries, part of the worker contract: the operator answers with these when another
 * attempt may succeed (it is restarting, not ready yet, or busy), and with any other code when none will. Defined here
 * once, for every client of the operator.
 */
public final class RetryableCodes {

    /**
     * What the operator answers when a later attempt may succeed: it is down, restarting or not ready yet
     * (UNAVAILABLE, also what a refused connection gives), slow (DEADLINE_EXCEEDED) or busy (RESOURCE_EXHAUSTED,
     * ABORTED).
     */
    public static final Set<Status.Code> OPERATOR_NOT_READY = Set.of(Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED);

    /**
     * What a client sees when a long stream is cut by a proxy or by the server going away, besides the codes above:
     * worth retrying for a read that can resume (a file download), not for a call that changes state.
     */
    public static final Set<Status.Code> STREAM_CUT = Set.of(Status.Code.CANCELLED, Status.Code.INTERNAL,
            Status.Code.UNKNOWN, Status.Code.DATA_LOSS);

    private RetryableCodes() {
    }

    /**
     * How grpc-java describes a call whose HTTP/2 stream the server reset, which it reports as INTERNAL: what a worker
     * sees of an operator shutting down gracefully (scaled down, or replaced by a rolling upgrade) in the middle of its
     * call, or of a proxy dropping the stream.
     */
    static final String RESET_STREAM = "RST_STREAM closed stream";

    /** Whether another attempt at a call that changes state may succeed. */
    public static boolean isRetryable(Status.Code code) {
        return OPERATOR_NOT_READY.contains(code);
    }

    /**
     * As {@link #isRetryable(Status.Code)}, and also for a stream the server reset ({@link #RESET_STREAM}): the
     * operator went away as it does when it restarts, and every call of the worker contract may be made again (a
     * completion reported twice is accepted once, a lease not received expires).
     */
    public static boolean isRetryable(Status status) {
        return isRetryable(status.getCode()) || status.getCode() == Status.Code.INTERNAL
                && status.getDescription() != null && status.getDescription().startsWith(RESET_STREAM);
    }

    /** Whether another attempt at a read that can resume may succeed. */
    public static boolean isRetryableRead(Status.Code code) {
        return OPERATOR_NOT_READY.contains(code) || STREAM_CUT.contains(code);
    }
}
