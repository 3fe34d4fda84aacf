package io.kubecrawl.operator.spider;

import java.util.Optional;

import io.kubecrawl.protocol.bundle.BundleManifest;

/**
 * What the reconciler observed of an upload-sourced Spider's bundle: the digest its annotation records, and what the
 * bundle store holds under that digest.
 *
 * @param annotatedDigest the annotation's value, as written; empty before the first upload
 * @param storedManifest the manifest stored under that digest, if the digest is well-formed and the store holds it
 * @param storeError why the store could not be read, if it could not
 */
public record UploadObservation(Optional<String> annotatedDigest, Optional<BundleManifest> storedManifest,
        Optional<String> storeError) {

    public static UploadObservation notUploaded() {
        return new UploadObservation(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
