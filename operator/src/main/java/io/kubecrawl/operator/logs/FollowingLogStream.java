package io.kubecrawl.operator.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.function.BooleanSupplier;

/**
 * Reads a log that may still grow: at its current end it waits for the writer's signal, and it ends only once the
 * log is finished and read to its end. The finish flag is checked before the last read, so lines written just
 * before the finish are never missed.
 */
final class FollowingLogStream extends InputStream {

    /** Upper bound of one wait, should a signal be missed (a writer in another operator process, say). */
    private static final long RECHECK_MILLIS = 500;

    private final InputStream in;
    private final Object monitor;
    private final BooleanSupplier finished;

    FollowingLogStream(InputStream in, Object monitor, BooleanSupplier finished) {
        this.in = in;
        this.monitor = monitor;
        this.finished = finished;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        while (true) {
            boolean wasFinished = finished.getAsBoolean();
            int n = in.read(buffer, offset, length);
            if (n >= 0) {
                return n;
            }
            if (wasFinished) {
                return -1;
            }
            synchronized (monitor) {
                try {
                    monitor.wait(RECHECK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while following a log");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
