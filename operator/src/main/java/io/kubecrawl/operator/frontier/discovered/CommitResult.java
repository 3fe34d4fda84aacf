package io.kubecrawl.operator.frontier.discovered;

/**
 * What {@link DiscoveredRequestStore#commitCompletion} did with one completion.
 *
 * @param outcome whether the completion changed the store
 * @param accepted requests queued by this completion
 * @param duplicates requests dropped as seen before
 * @param outOfScope requests dropped by the job's scope
 * @param commitSequence the job's commit sequence after the call
 */
public record CommitResult(Outcome outcome, int accepted, int duplicates, int outOfScope, long commitSequence) {

    public enum Outcome {
        /** The completion and its requests were committed. */
        COMMITTED,
        /** The batch's completion had been committed before: nothing changed (a completion sent twice). */
        ALREADY_COMMITTED,
        /**
         * The batch number is in the discovered range but no such batch was ever cut for the job (or it was cut for
         * another slot): nothing changed. Only a confused worker, or a store that lost data, sends one.
         */
        UNKNOWN_BATCH
    }

    static CommitResult unchanged(Outcome outcome, long commitSequence) {
        return new CommitResult(outcome, 0, 0, 0, commitSequence);
    }

    public boolean changed() {
        return outcome == Outcome.COMMITTED;
    }
}
