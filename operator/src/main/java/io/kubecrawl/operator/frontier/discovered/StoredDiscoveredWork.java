package io.kubecrawl.operator.frontier.discovered;

import java.util.List;
import java.util.Optional;

import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.DiscoveredWork;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.operator.frontier.SlotAssigner;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * One job's discovered requests in the operator's {@link DiscoveredRequestStore}: placed in the slots of the job's
 * partitioning (Host keeps a host in one slot, as the seeds are), within the job's scope, and deduplicated against
 * the job's seeds as well as against every request seen before.
 */
final class StoredDiscoveredWork implements DiscoveredWork {

    private final DiscoveredRequestStore store;
    private final JobKey job;
    private final CrawlScope scope;
    private final Partitioning partitioning;
    private final int slots;
    /**
     * The job's seeds: a discovered request for a seed's URL is a duplicate of the seed (the operator cannot compute
     * the Scrapy fingerprint of a seed, which the worker computes for discovered requests only).
     */
    private final FrontierLayout layout;

    StoredDiscoveredWork(DiscoveredRequestStore store, JobKey job, CrawlScope scope, Partitioning partitioning,
            FrontierLayout layout) {
        this.store = store;
        this.job = job;
        this.scope = scope;
        this.partitioning = partitioning;
        this.slots = layout.slots();
        this.layout = layout;
    }

    @Override
    public List<CutBatch> openBatches() {
        return store.openBatches(job).stream().map(StoredDiscoveredWork::cutBatch).toList();
    }

    @Override
    public Optional<CutBatch> cut(int slot, int maxSize) {
        return store.cutBatch(job, slot, maxSize).map(StoredDiscoveredWork::cutBatch);
    }

    @Override
    public boolean hasQueued(int slot) {
        return store.queued(job, slot) > 0;
    }

    @Override
    public long queued() {
        return store.counts(job).queued();
    }

    @Override
    public long batchesCut() {
        return store.batchesCut(job);
    }

    @Override
    public Commit commit(BatchId batch, List<DiscoveredRequest> requests) {
        // An assigner per commit: it caches the slot of each host it sees, which must not grow with the crawl.
        SlotAssigner assigner = new SlotAssigner(partitioning, slots);
        CommitResult result = store.commitCompletion(job, batch, requests, scope,
                request -> assigner.slotOf(new SeedRequest(request.getUrl(), "", hostOrEmpty(request.getUrl()))),
                request -> layout.hasSeedUrl(request.getUrl()));
        return switch (result.outcome()) {
            case COMMITTED -> Commit.COMMITTED;
            case ALREADY_COMMITTED -> Commit.ALREADY_COMMITTED;
            case UNKNOWN_BATCH -> Commit.UNKNOWN_BATCH;
        };
    }

    @Override
    public void checkNotBehind(Long recordedCommitSequence) {
        if (recordedCommitSequence != null) {
            store.checkNotBehind(job, recordedCommitSequence);
        }
    }

    @Override
    public DiscoveredRequestsStatus status() {
        DiscoveredCounts counts = store.counts(job);
        long batches = store.batchesCut(job);
        if (counts.commitSequence() == 0 && batches == 0) {
            return null;
        }
        DiscoveredRequestsStatus status = new DiscoveredRequestsStatus();
        status.setDiscovered(counts.discovered());
        status.setQueued(counts.queued());
        status.setLeased(counts.leased());
        status.setDone(counts.done());
        status.setDuplicates(counts.duplicatesDropped());
        status.setOutOfScope(counts.outOfScope());
        status.setFiltered(counts.duplicatesDropped() + counts.outOfScope());
        status.setBatches(batches);
        status.setCommitSequence(counts.commitSequence());
        return status;
    }

    private static CutBatch cutBatch(DiscoveredBatch batch) {
        // The lease hands a worker each request as its spider sent it; the URL is the operator's own record.
        return new CutBatch(batch.id(), batch.requests().stream()
                .map(request -> new SeedRequest(request.getUrl(), request.getRequest(), null)).toList());
    }

    /** A URL without a host (which the scope would not admit if it names domains) goes with the empty host. */
    private static String hostOrEmpty(String url) {
        String host = CrawlScope.host(url);
        return host == null ? "" : host;
    }
}
