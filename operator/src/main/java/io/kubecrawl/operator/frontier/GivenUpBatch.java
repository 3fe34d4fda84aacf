package io.kubecrawl.operator.frontier;

/** A batch the frontier gave up on, kept until the reconciler has told the user with an Event. */
public record GivenUpBatch(BatchId batch, int attempts, String lastError) {
}
