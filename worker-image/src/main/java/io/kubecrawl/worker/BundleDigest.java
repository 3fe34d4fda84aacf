package io.kubecrawl.worker;

import io.kubecrawl.protocol.bundle.Sha256;

/** The digest that names a spider bundle: {@code sha256:} and 64 lowercase hex digits, as the operator writes it. */
public record BundleDigest(String value) {

    public BundleDigest {
        if (!Sha256.isDigest(value)) {
            throw new IllegalArgumentException("expected sha256:<64 lowercase hex digits>");
        }
    }

    /** The 64 hex digits without the algorithm prefix. */
    public String hex() {
        return Sha256.hexOf(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
