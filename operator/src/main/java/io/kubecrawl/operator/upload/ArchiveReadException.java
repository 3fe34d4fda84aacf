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

    /**
     * The archive's bytes stop before the archive does.
     *
     * @param where where they stop, for example {@code inside entry 'a.py' (after 10 of its 20 bytes)}
     */
    static ArchiveReadException cutOff(String where, Throwable cause) {
        return new ArchiveReadException("the archive ends " + where + ": the upload was cut off or the file is "
                + "truncated", cause);
    }

    /** What an exception of a library says, never "null": some (gzip's EOFException) say nothing. */
    static String detail(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
