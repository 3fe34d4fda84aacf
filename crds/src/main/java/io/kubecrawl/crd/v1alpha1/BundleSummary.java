package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BundleSummary {

    @JsonPropertyDescription("sha256 of the bundle's canonical manifest, as sha256:<hex>. Equal digests mean equal file trees.")
    private String digest;

    @JsonPropertyDescription("Number of files in the bundle.")
    private Integer files;

    @JsonPropertyDescription("Total size of the bundle's files in bytes.")
    private Long bytes;

    public BundleSummary() {
    }

    public BundleSummary(String digest, int files, long bytes) {
        this.digest = digest;
        this.files = files;
        this.bytes = bytes;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public Integer getFiles() {
        return files;
    }

    public void setFiles(Integer files) {
        this.files = files;
    }

    public Long getBytes() {
        return bytes;
    }

    public void setBytes(Long bytes) {
        this.bytes = bytes;
    }
}
