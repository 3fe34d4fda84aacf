package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/** Marks a Spider whose bundle arrives through the upload API rather than from the cluster. */
public class UploadSource {

    @Min(1)
    @JsonPropertyDescription("Largest archive the operator accepts for this Spider, in bytes. Defaults to the "
            + "operator-wide limit.")
    private Long maxBytes;

    public Long getMaxBytes() {
        return maxBytes;
    }

    public void setMaxBytes(Long maxBytes) {
        this.maxBytes = maxBytes;
    }
}
