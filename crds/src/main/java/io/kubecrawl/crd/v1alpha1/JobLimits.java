package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

public class JobLimits {

    public static final int DEFAULT_MAX_BATCH_ATTEMPTS = 3;

    @Min(1)
    @Default("" + DEFAULT_MAX_BATCH_ATTEMPTS)
    @JsonPropertyDescription("Attempts a batch gets before it is counted as failed and the job goes on without it.")
    private Integer maxBatchAttempts;

    @Min(1)
    @JsonPropertyDescription("Seconds the worker Job may stay active before it fails with reason DeadlineExceeded "
            + "(the Job's activeDeadlineSeconds: Kubernetes restarts its timer when a suspended job resumes). Read when "
            + "the worker Job is created. Unset means no limit.")
    private Long activeDeadlineSeconds;

    /** {@link #getMaxBatchAttempts()}, or its default where the API server did not apply the schema's. */
    public int effectiveMaxBatchAttempts() {
        return maxBatchAttempts == null ? DEFAULT_MAX_BATCH_ATTEMPTS : maxBatchAttempts;
    }

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
