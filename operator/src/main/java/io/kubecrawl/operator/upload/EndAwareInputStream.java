package io.kubecrawl.operator.upload;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that remembers whether its data ran out: a read returned the end, or failed because the bytes it needed
 * were missing ({@link EOFException}, as gzip throws when its input stops mid-stream). An archive reader that fails
 * afterwards failed because the archive is cut off, which its own exception rarely says (gzip's has no message, tar's
 * says "Truncated TAR archive" without where).
 */
final class EndAwareInputStream extends FilterInputStream {

    private boolean ended;

    EndAwareInputStream(InputStream in) {
        super(in);
    }

    /** Whether a read found the end of the data, or found it missing. */
    boolean ended() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        try {
            int b = super.read();
            ended |= b < 0;
            return b;
        } catch (EOFException e) {
            ended = true;
            throw e;
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            int n = super.read(buffer, offset, length);
            ended |= n < 0;
            return n;
        } catch (EOFException e) {
            ended = true;
            throw e;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        // Through read: an end that the skip of the stream below finds would go unseen.
        byte[] discarded = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        return Math.max(read(discarded, 0, discarded.length), 0);
    }
}
