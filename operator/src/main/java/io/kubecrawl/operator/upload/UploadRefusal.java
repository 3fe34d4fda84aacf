package io.kubecrawl.operator.upload;

/**
 * An upload the HTTP API answers with an error status before or after reading the archive (the Spider is missing or
 * not upload-sourced, the body is too large or no archive), with a message that says what to do.
 */
public class UploadRefusal extends RuntimeException {

    private final int status;

    public UploadRefusal(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
