package io.kubecrawl.operator.bundle;

/**
 * What one {@link BundleStore#collectGarbage} run deleted.
 *
 * @param manifests manifests neither pinned nor young
 * @param blobs blobs no remaining manifest references, older than the grace period
 * @param bytes the size of those blobs
 * @param tempFiles in-flight files left behind by writers that died (older than the grace period)
 */
public record CollectedGarbage(int manifests, int blobs, long bytes, int tempFiles) {
}
