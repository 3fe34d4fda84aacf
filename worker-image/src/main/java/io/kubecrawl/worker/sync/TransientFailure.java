package io.kubecrawl.worker.sync;

/**
 * A failure that another attempt may not meet: the stream broke, stalled or carried bytes that failed the file's
 * sha256 check. gRPC failures are classified by their status code in {@link Failures}.
 */
class TransientFailure extends Exception {
    TransientFailure(String message) {
        super(message);
    }

    TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** The received content does not hash to the manifest's sha256; the part file has been deleted. */
    static final class HashMismatch extends TransientFailure {
        HashMismatch(String message) {
            super(message);
        }
    }

    /** The stream ended early, stalled, or did not follow the protocol (offsets, sizes). */
    static final class BrokenStream extends TransientFailure {
        BrokenStream(String message) {
            super(message);
        }

        BrokenStream(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
