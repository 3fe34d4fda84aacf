package io.kubecrawl.operator.bundle;

/**
 * A file content held by the {@link BundleStore}.
 *
 * @param sha256 lower-case hex sha256 of the content, which is also its name in the store
 * @param size size in bytes
 */
public record BlobRef(String sha256, long size) {
}
