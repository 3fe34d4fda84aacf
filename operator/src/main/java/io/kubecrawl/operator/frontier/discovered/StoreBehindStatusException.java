package io.kubecrawl.operator.frontier.discovered;

import io.kubecrawl.operator.frontier.InconsistentFrontierException;

/**
 * The job's status recorded a commit sequence the store on the operator's volume has not reached: the volume lost
 * committed work (it was replaced, restored from an older snapshot, or written without sync by a node that then
 * lost power). Serving leases from it would silently drop requests and fetch others twice, so the job fails with this
 * message instead. An {@link InconsistentFrontierException}, since that is how a job learns that its recorded frontier
 * cannot be rebuilt.
 */
public class StoreBehindStatusException extends InconsistentFrontierException {

    private final transient JobKey job;
    private final long statusSequence;
    private final long storeSequence;

    public StoreBehindStatusException(JobKey job, long statusSequence, long storeSequence) {
        super("the store of discovered requests on the operator's volume is behind the status of " + job
                + ": the status recorded commit sequence " + statusSequence + " but the store holds only "
                + storeSequence + "; the volume lost committed work (replaced, or restored from an older copy), so "
                + "the job's discovered requests and deduplication set are incomplete");
        this.job = job;
        this.statusSequence = statusSequence;
        this.storeSequence = storeSequence;
    }

    public JobKey job() {
        return job;
    }

    public long statusSequence() {
        return statusSequence;
    }

    public long storeSequence() {
        return storeSequence;
    }
}
