package io.kubecrawl.operator.bundle;

import java.io.IOException;

/** A stream written to the {@link BundleStore} did not have the sha256 its writer promised; nothing was stored. */
public class ContentMismatchException extends IOException {

    private final String expectedSha256;
    private final String actualSha256;

    public ContentMismatchException(String expectedSha256, String actualSha256) {
        super("content has sha256 " + actualSha256 + ", expected " + expectedSha256);
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    public String expectedSha256() {
        return expectedSha256;
    }

    public String actualSha256() {
        return actualSha256;
    }
}
