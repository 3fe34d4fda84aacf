package io.kubecrawl.operator.upload;

/** The answer to a successful upload: the bundle the Spider now names. */
public record UploadResult(String digest, int files, long bytes) {
}
