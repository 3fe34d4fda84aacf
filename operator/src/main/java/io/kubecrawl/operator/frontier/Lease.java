package io.kubecrawl.operator.frontier;

import java.time.Instant;

/** A batch handed to a worker until {@code expiresAt}, unless renewed. */
public record Lease(BatchId batch, String worker, int attempt, Instant expiresAt) {

    Lease renewedUntil(Instant until) {
        return new Lease(batch, worker, attempt, until);
    }
}
