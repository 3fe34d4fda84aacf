package io.kubecrawl.operator.bundle;

import java.util.Map;
import java.util.Optional;

import io.kubecrawl.crd.v1alpha1.Spider;

/**
 * The annotation through which the upload API points a Spider at the bundle it has just stored completely:
 * {@code kubecrawl.io/uploaded-bundle: sha256:<hex>}.
 *
 * <p>An annotation rather than a status field: the status is the reconciler's own view and is rewritten from what it
 * observes, whereas the uploaded digest is input that must survive operator restarts, and changing it is what makes
 * the Spider reconcile (the spider package's change filter lets it through). It is written last, after every file
 * and the manifest are in the bundle store, so it never names half a bundle; two uploads that race each write a
 * complete bundle and the later patch wins.
 */
public final class UploadedBundleAnnotation {

    public static final String NAME = "kubecrawl.io/uploaded-bundle";

    private UploadedBundleAnnotation() {
    }

    /** The digest the Spider's last upload recorded, as written (it may be malformed if someone edited it). */
    public static Optional<String> of(Spider spider) {
        Map<String, String> annotations = spider.getMetadata() == null ? null : spider.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(NAME));
    }
}
