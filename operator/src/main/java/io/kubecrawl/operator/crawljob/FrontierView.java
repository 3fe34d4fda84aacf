package io.kubecrawl.operator.crawljob;

import java.util.List;

import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.SlotProgress;

/**
 * A job's frontier and outputs as the reconciler observed them.
 *
 * @param seedsDigest the digest of the seeds the frontier was built from, for the status
 * @param progress the durable per-slot progress, for the status
 * @param batches batch counts
 * @param requests seed requests
 * @param items items stored
 * @param drained whether every batch is finished
 * @param outputsFinalized whether the job's item output and logs are finalised
 */
public record FrontierView(String seedsDigest, List<SlotProgress> progress, BatchCounters batches, long requests,
        long items, boolean drained, boolean outputsFinalized) {
}
