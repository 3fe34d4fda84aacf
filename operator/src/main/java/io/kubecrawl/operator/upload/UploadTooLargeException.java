package io.kubecrawl.operator.upload;

import java.io.IOException;

/** The upload's body went past its size limit; it is not read any further. The HTTP API answers 413. */
public class UploadTooLargeException extends IOException {

    private final long limit;

    public UploadTooLargeException(long limit) {
        super(message(limit));
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    static String message(long limit) {
        return "the archive is larger than " + limit + " bytes, the most this Spider accepts (spec.source.upload."
                + "maxBytes, or the operator's limit kubecrawl.upload.max-bytes, whichever is smaller)";
    }
}
