package io.kubecrawl.operator.frontier;

import java.util.List;
import java.util.Optional;

import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * The requests a job's spider discovered, as its {@link Frontier} sees them: queued per slot in a durable store, cut
 * into batches when a slot's seeds are used up, and committed with the completion of the batch that found them. The
 * frontier keeps only the batches cut and not completed in memory; everything else stays in the store, so memory does
 * not grow with the number of URLs discovered.
 *
 * <p>Every method but {@link #status} writes or reads the store under the job's own lock in the store; the frontier
 * calls them holding its own monitor, so that a cut batch and the frontier's record of it cannot part.
 */
public interface DiscoveredWork {

    /** A job whose spider's requests stay in its process ({@code spec.frontier.discovered: Local}). */
    DiscoveredWork NONE = new DiscoveredWork() {
        @Override
        public List<CutBatch> openBatches() {
            return List.of();
        }

        @Override
        public Optional<CutBatch> cut(int slot, int maxSize) {
            return Optional.empty();
        }

        @Override
        public boolean hasQueued(int slot) {
            return false;
        }

        @Override
        public long queued() {
            return 0;
        }

        @Override
        public long batchesCut() {
            return 0;
        }

        @Override
        public Commit commit(BatchId batch, List<DiscoveredRequest> requests) {
            return Commit.COMMITTED;
        }

        @Override
        public void checkNotBehind(Long recordedCommitSequence) {
        }

        @Override
        public DiscoveredRequestsStatus status() {
            return null;
        }
    };

    /** A batch of discovered requests cut from a slot's queue, each as the lease hands it to the worker. */
    record CutBatch(BatchId id, List<SeedRequest> requests) {
    }

    /** What a completion did in the store. */
    enum Commit {
        /** The completion and its requests are committed. */
        COMMITTED,
        /** The completion was committed before (the batch ran twice): nothing changed. */
        ALREADY_COMMITTED,
        /** No such discovered batch was ever cut for the job: nothing changed. */
        UNKNOWN_BATCH
    }

    /** The batches cut and not completed: after a restart, batches whoever held them may still run. */
    List<CutBatch> openBatches();

    /** Moves up to {@code maxSize} queued requests of the slot into a new batch, made durable before it returns. */
    Optional<CutBatch> cut(int slot, int maxSize);

    boolean hasQueued(int slot);

    /** Requests queued in every slot. */
    long queued();

    /** Batches of discovered requests cut since the job began, completed or not. */
    long batchesCut();

    /**
     * Commits a batch's completion with the requests its spider discovered, atomically and at most once per batch:
     * deduplicated, checked against the job's scope, and queued in their slots.
     */
    Commit commit(BatchId batch, List<DiscoveredRequest> requests);

    /**
     * Checks the store against the commit sequence the job's status recorded (null: none recorded).
     *
     * @throws InconsistentFrontierException when the store is behind the status: it lost work the status counts
     */
    void checkNotBehind(Long recordedCommitSequence);

    /** The counters for the job's status; null while the job has no discovered request. */
    DiscoveredRequestsStatus status();
}
