package io.kubecrawl.operator.frontier;

/** A recorded frontier that does not fit the job's seeds and settings; the job fails rather than guess. */
public class InconsistentFrontierException extends RuntimeException {

    public InconsistentFrontierException(String message) {
        super(message);
    }
}
