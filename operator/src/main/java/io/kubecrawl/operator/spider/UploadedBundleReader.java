package io.kubecrawl.operator.spider;

import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Decides what an upload-sourced Spider's bundle is, from what the reconciler observed: the bundle its last upload
 * recorded, when the store holds it. Pure: it reads nothing but its arguments.
 */
public final class UploadedBundleReader {

    private UploadedBundleReader() {
    }

    public static BundleResolution read(String namespace, String name, UploadObservation observed) {
        if (observed.annotatedDigest().isEmpty()) {
            return BundleResolution.failed(SourceProblem.AWAITING_UPLOAD, "no bundle has been uploaded yet; PUT a "
                    + ".tar.gz or .zip to /api/v1/namespaces/" + namespace + "/spiders/" + name + "/bundle");
        }
        String digest = observed.annotatedDigest().get();
        if (!Sha256.isDigest(digest)) {
            return BundleResolution.failed(SourceProblem.BUNDLE_INCOMPLETE, "annotation "
                    + UploadedBundleAnnotation.NAME + " holds '" + digest + "', which is not a bundle digest "
                    + "(sha256:<64 hex digits>); upload the bundle again");
        }
        if (observed.storeError().isPresent()) {
            return BundleResolution.failed(SourceProblem.STORE_FAILED, "the operator cannot read bundle " + digest
                    + " from its data directory (" + observed.storeError().get() + ")");
        }
        return observed.storedManifest().map(BundleResolution::of).orElseGet(() -> BundleResolution.failed(
                SourceProblem.BUNDLE_INCOMPLETE, "uploaded bundle " + digest + " is not in the operator's bundle "
                        + "store (its data volume was replaced, or the bundle was collected); upload it again"));
    }
}
