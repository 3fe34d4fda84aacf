package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchCounters {

    @JsonPropertyDescription("Batches the seeds were split into.")
    private Integer total;

    @JsonPropertyDescription("Batches completed.")
    private Integer done;

    @JsonPropertyDescription("Batches given up after maxBatchAttempts failed attempts.")
    private Integer failed;

    @JsonPropertyDescription("Batches leased to a worker when the status was written.")
    private Integer leased;

    public BatchCounters() {
    }

    public BatchCounters(int total, int done, int failed, int leased) {
        this.total = total;
        this.done = done;
        this.failed = failed;
        this.leased = leased;
    }

    public Integer getTotal() {
        return total;
    }

    public void setTotal(Integer total) {
        this.total = total;
    }

    public Integer getDone() {
        return done;
    }

    public void setDone(Integer done) {
        this.done = done;
    }

    public Integer getFailed() {
        return failed;
    }

    public void setFailed(Integer failed) {
        this.failed = failed;
    }

    public Integer getLeased() {
        return leased;
    }

    public void setLeased(Integer leased) {
        this.leased = leased;
    }
}
