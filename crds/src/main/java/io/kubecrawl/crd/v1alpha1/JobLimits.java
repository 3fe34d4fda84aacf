package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class JobLimits {

    @Min(1)
    @Default("3")
    @JsonPropertyDescription("Attempts a batch gets before it is counted as failed and the job goes on without it.")
    private Integer maxBatchAttempts;

    @Min(1)
    @JsonPropertyDescription("Seconds the job may run in all, suspended time excluded; then it fails with reason "
            + "DeadlineExceeded. Unset means no limit.")
    private Long activeDeadlineSeconds;

    public Integer getMaxBatchAttempts() {
        return maxBatchAttempts;
    }

    public void setMaxBatchAttempts(Integer maxBatchAttempts) {
        this.maxBatchAttempts = maxBatchAttempts;
    }

    public Long getActiveDeadlineSeconds() {
        return activeDeadlineSeconds;
    }

    public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
        this.activeDeadlineSeconds = activeDeadlineSeconds;
    }
}
