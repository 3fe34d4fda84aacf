package io.kubecrawl.operator.upload;

import java.io.IOException;

/**
 * Reading the uploaded archive failed: its bytes are not a valid archive (corrupt, truncated), or the body itself
 * failed (too large, or the client went away; the upload's own state tells which). Distinct from the other
 * {@link IOException}s of an upload, which come from the operator's own disk.
 */
public class ArchiveReadException extends IOException {

    public ArchiveReadException(String message, Throwable cause) {
        super(message, cause);
    }

    public ArchiveReadException(String message) {
        super(message);
    }
}
