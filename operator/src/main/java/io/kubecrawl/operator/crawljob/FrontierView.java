package io.kubecrawl.operator.crawljob;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.GivenUpBatch;

/**
 * A job's frontier and outputs as the reconciler observed them.
 *
 * @param seedsDigest the digest of the seeds the frontier was built from, for the status
 * @param progress the durable per-slot progress, for the status
 * @param batches batch counts, leases due by the time of observing not counted
 * @param requests seed requests
 * @param items items stored
 * @param drained whether every batch is finished
 * @param outputsFinalized whether the job's item output and logs are finalised
 * @param settings the settings the frontier works with
 * @param unreportedGivenUp batches given up that no Event reported yet
 * @param discovered what the frontier's store did with the discovered requests; null while there are none
 * @param rebuilt the frontier, when observing rebuilt it from the status because the registry had none for this job
 *     (after a restart, or on the job's first reconcile); empty when the registry has it
 */
public record FrontierView(String seedsDigest, List<SlotProgress> progress, BatchCounters batches, long requests,
        long items, boolean drained, boolean outputsFinalized, FrontierSettings settings,
        List<GivenUpBatch> unreportedGivenUp, DiscoveredRequestsStatus discovered, Optional<Frontier> rebuilt) {

    /** Reads {@code frontier} without changing it. */
    public static FrontierView of(Frontier frontier, boolean rebuilt, Instant asOf, long items,
            boolean outputsFinalized) {
        return new FrontierView(frontier.seedsDigest(), frontier.progress(), frontier.counters(asOf),
                frontier.requests(), items, frontier.isDrained(), outputsFinalized, frontier.settings(),
                frontier.unreportedGivenUp(), frontier.discoveredStatus(),
                rebuilt ? Optional.of(frontier) : Optional.empty());
    }

    /**
     * This view as it is once the outputs found under the job's name are discarded (they are an earlier job's, see
     * {@link CrawlJobStep.DiscardEarlierOutputs}): no items, nothing final.
     */
    public FrontierView withoutEarlierOutputs() {
        return new FrontierView(seedsDigest, progress, batches, requests, 0, drained, false, settings,
                unreportedGivenUp, discovered, rebuilt);
    }
}
