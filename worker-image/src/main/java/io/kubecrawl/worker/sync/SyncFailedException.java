package io.kubecrawl.worker.sync;

/**
 * The sync cannot complete. The message is the one-line reason the command prints after {@code kubecrawl-worker
 * sync: }, so it names the file or the call that failed and why, never the token.
 */
public final class SyncFailedException extends Exception {
    public SyncFailedException(String reason) {
        super(reason);
    }

    public SyncFailedException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** A failure no step expects (a bug, or a runtime refusing an operation): what was being done, and the cause. */
    static SyncFailedException unexpected(String during, Throwable cause) {
        return new SyncFailedException("unexpected failure " + during + ": " + cause, cause);
    }
}
