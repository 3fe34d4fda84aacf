package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What the job's frontier did with the requests its spider discovered. Every request received is counted once:
 * {@code discovered == filtered + queued + leased + done}, with {@code filtered == duplicates + outOfScope}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiscoveredRequestsStatus {

    @JsonPropertyDescription("Requests the spider sent with its completed batches.")
    private Long discovered;

    @JsonPropertyDescription("Requests accepted and waiting in their slot's queue.")
    private Long queued;

    @JsonPropertyDescription("Accepted requests in batches leased and not completed yet.")
    private Long leased;

    @JsonPropertyDescription("Accepted requests whose batch completed.")
    private Long done;

    @JsonPropertyDescription("Requests dropped: duplicates plus outOfScope.")
    private Long filtered;

    @JsonPropertyDescription("Requests dropped because the job had seen their fingerprint (or they were a seed).")
    private Long duplicates;

    @JsonPropertyDescription("Requests dropped by spec.scope: too deep, off the allowed domains, matching no URL "
            + "pattern, or over maxRequests.")
    private Long outOfScope;

    @JsonPropertyDescription("Batches of discovered requests cut so far.")
    private Long batches;

    @JsonPropertyDescription("The frontier store's commit sequence for this job when the status was written: a "
            + "restarted operator whose store is behind it fails the job (FrontierStoreBehind) rather than lose work "
            + "silently.")
    private Long commitSequence;

    public Long getDiscovered() {
        return discovered;
    }

    public void setDiscovered(Long discovered) {
        this.discovered = discovered;
    }

    public Long getQueued() {
        return queued;
    }

    public void setQueued(Long queued) {
        this.queued = queued;
    }

    public Long getLeased() {
        return leased;
    }

    public void setLeased(Long leased) {
        this.leased = leased;
    }

    public Long getDone() {
        return done;
    }

    public void setDone(Long done) {
        this.done = done;
    }

    public Long getFiltered() {
        return filtered;
    }

    public void setFiltered(Long filtered) {
        this.filtered = filtered;
    }

    public Long getDuplicates() {
        return duplicates;
    }

    public void setDuplicates(Long duplicates) {
        this.duplicates = duplicates;
    }

    public Long getOutOfScope() {
        return outOfScope;
    }

    public void setOutOfScope(Long outOfScope) {
        this.outOfScope = outOfScope;
    }

    public Long getBatches() {
        return batches;
    }

    public void setBatches(Long batches) {
        this.batches = batches;
    }

    public Long getCommitSequence() {
        return commitSequence;
    }

    public void setCommitSequence(Long commitSequence) {
        this.commitSequence = commitSequence;
    }
}
