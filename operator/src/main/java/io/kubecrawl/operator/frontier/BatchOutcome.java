package io.kubecrawl.operator.frontier;

/** What the frontier made of a worker's report on a batch. */
public enum BatchOutcome {
    /** The batch is now complete. */
    COMPLETED,
    /** The batch was already finished: a late or repeated report, accepted and ignored. */
    ALREADY_FINISHED,
    /** The failure was counted and the batch goes back to its slot. */
    RETRYING,
    /** The failure was the last allowed one: the batch is given up and the job goes on without it. */
    GAVE_UP,
    /** The report names a batch this job does not have. */
    UNKNOWN_BATCH
}
