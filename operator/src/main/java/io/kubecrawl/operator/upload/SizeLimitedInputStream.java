package io.kubecrawl.operator.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The upload's body, cut off at its size limit: the read that would pass the limit fails instead, so no more than
 * {@code limit} bytes (plus one read's worth already received) are ever taken from the client. Not thread-safe: one
 * reader.
 */
final class SizeLimitedInputStream extends FilterInputStream {

    private final long limit;
    private long count;
    private boolean exceeded;

    SizeLimitedInputStream(InputStream body, long limit) {
        super(body);
        this.limit = limit;
    }

    /** Whether the body went past the limit: then whatever failed, the answer is 413. */
    boolean exceeded() {
        return exceeded;
    }

    long limit() {
        return limit;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (exceeded) {
            throw new UploadTooLargeException(limit);
        }
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Through read, so that skipped bytes count too.
        byte[] discard = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        int read = read(discard, 0, discard.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(int n) throws UploadTooLargeException {
        count += n;
        if (count > limit) {
            exceeded = true;
            throw new UploadTooLargeException(limit);
        }
    }
}
