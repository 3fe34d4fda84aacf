package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkersStatus {

    @JsonPropertyDescription("Worker pods asked for: spec.workers, or 0 while suspended.")
    private Integer desired;

    @StatusReplicas
    @JsonPropertyDescription("Worker pods that are ready: their bundle is synced and they run batches.")
    private Integer ready;

    @JsonPropertyDescription("Worker pods that are pending or running (the Job's active count), syncing included.")
    private Integer active;

    @JsonPropertyDescription("Worker pods that exited successfully.")
    private Integer succeeded;

    @JsonPropertyDescription("Worker pods that failed.")
    private Integer failed;

    public WorkersStatus() {
    }

    public WorkersStatus(int desired, int ready, int active, int succeeded, int failed) {
        this.desired = desired;
        this.ready = ready;
        this.active = active;
        this.succeeded = succeeded;
        this.failed = failed;
    }

    public Integer getDesired() {
        return desired;
    }

    public void setDesired(Integer desired) {
        this.desired = desired;
    }

    public Integer getReady() {
        return ready;
    }

    public void setReady(Integer ready) {
        this.ready = ready;
    }

    public Integer getActive() {
        return active;
    }

    public void setActive(Integer active) {
        this.active = active;
    }

    public Integer getSucceeded() {
        return succeeded;
    }

    public void setSucceeded(Integer succeeded) {
        this.succeeded = succeeded;
    }

    public Integer getFailed() {
        return failed;
    }

    public void setFailed(Integer failed) {
        this.failed = failed;
    }
}
