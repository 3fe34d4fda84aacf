package io.kubecrawl.operator.faults;

/**
 * A named place in the operator where a test may stop it as {@code kill -9} would ({@link KillPoints}). Each is a
 * moment whose crash the operator must recover from: a test halts the process there instead of racing a signal
 * against it.
 */
public enum KillPoint {
    /** The worker token Secret exists; the worker Job does not yet. */
    TOKEN_CREATED,
    /** The worker Job exists; the status does not record it yet (only the Job's generation annotation tells). */
    WORKER_JOB_CREATED,
    /** A batch is leased to a worker, which never hears of it. */
    BATCH_LEASED,
    /** A worker renewed the leases of the batches it is running: the operator dies in the middle of them. */
    LEASE_RENEWED,
    /** A batch's items are committed and the frontier has it done; no status checkpoint records it yet. */
    ITEMS_COMMITTED,
    /** A status checkpoint of a running job was written. */
    CHECKPOINT_WRITTEN,
    /** The status says Completing; the items and logs are not finalised yet. */
    COMPLETING_RECORDED,
    /** The items and logs are final; the status does not say Succeeded yet. */
    OUTPUTS_FINALIZED,
    /** The status says Succeeded. */
    SUCCEEDED_RECORDED,
    /** An uploaded archive is being read: some of its files are stored, the bundle is not. */
    UPLOAD_RECEIVING,
    /** An uploaded bundle is stored; the Spider does not point at it yet. */
    UPLOAD_STORED,
    /** A worker is syncing the bundle: a file is being streamed to it. */
    BUNDLE_STREAMING,
    /** A job's frontier was rebuilt from its status, before anything was leased from it. */
    FRONTIER_RESTORED
}
