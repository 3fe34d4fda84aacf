package io.kubecrawl.operator.frontier.discovered;

/**
 * What the store did with a job's discovered requests, for the job's status. Every request received is counted once
 * as a duplicate, as out of scope, or as accepted; an accepted request is queued, then leased, then done, so
 * {@code discovered == duplicatesDropped + outOfScope + queued + leased + done} always holds.
 *
 * @param discovered requests received in completions (a completion received again is not counted again)
 * @param duplicatesDropped requests whose fingerprint the job had seen (in the store, or earlier in the same
 *     completion)
 * @param outOfScope requests the job's scope refused: too deep, off its domains, matching none of its URL patterns,
 *     or over its maxRequests
 * @param queued accepted requests waiting in their slot's queue
 * @param leased accepted requests in batches cut and not yet completed
 * @param done accepted requests whose batch completed
 * @param commitSequence how many changes the store committed for the job: what the status records, so that a
 *     restarted operator can tell a store that lost work (see {@link StoreBehindStatusException})
 */
public record DiscoveredCounts(long discovered, long duplicatesDropped, long outOfScope, long queued, long leased,
        long done, long commitSequence) {

    public static final DiscoveredCounts NONE = new DiscoveredCounts(0, 0, 0, 0, 0, 0, 0);

    /** Requests accepted so far, wherever they are now: what a maxRequests limit counts. */
    public long accepted() {
        return queued + leased + done;
    }
}
