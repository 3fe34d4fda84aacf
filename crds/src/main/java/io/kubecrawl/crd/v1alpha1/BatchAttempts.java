package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The failed attempts of one batch: of an unfinished batch, or of one given up (with why). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchAttempts {

    @JsonPropertyDescription("Number of the batch within its slot.")
    private Integer batch;

    @JsonPropertyDescription("Failed attempts so far.")
    private Integer attempts;

    @JsonPropertyDescription("Why the last attempt failed: the spider's exit code and the last lines of its stderr, "
            + "or an expired lease.")
    private String lastError;

    public BatchAttempts() {
    }

    public BatchAttempts(int batch, int attempts, String lastError) {
        this.batch = batch;
        this.attempts = attempts;
        this.lastError = lastError;
    }

    public Integer getBatch() {
        return batch;
    }

    public void setBatch(Integer batch) {
        this.batch = batch;
    }

    public Integer getAttempts() {
        return attempts;
    }

    public void setAttempts(Integer attempts) {
        this.attempts = attempts;
    }

    public String getLastError() {
        return lastError;
    }

    public void setLastError(String lastError) {
        this.lastError = lastError;
    }
}
