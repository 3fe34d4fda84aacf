package io.kubecrawl.worker;

import java.util.regex.Pattern;

/** The digest that names a spider bundle: {@code sha256:} and 64 lowercase hex digits, as the operator writes it. */
public record BundleDigest(String value) {
    private static final String PREFIX = "sha256:";
    private static final Pattern FORMAT = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{64}");

    public BundleDigest {
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("expected sha256:<64 lowercase hex digits>");
        }
    }

    /** The 64 hex digits without the algorithm prefix. */
    public String hex() {
        return value.substring(PREFIX.length());
    }

    @Override
    public String toString() {
        return value;
    }
}
