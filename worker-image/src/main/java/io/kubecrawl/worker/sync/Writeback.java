package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts writing a large part file to disk while it is still being received. Without it the kernel holds the whole
 * file as dirty pages and the fsync before the rename writes all of it while the sync waits; with it the disk works in
 * step with the network and the final fsync finds only the last stretch left.
 *
 * <p>Each flush is an {@code fdatasync} on a background thread, at most one at a time per file, started once another
 * {@value #STRETCH_BYTES} bytes have been written. A flush that fails is reported by {@link #check()}; the final fsync
 * would fail on the same disk error anyway, but the first error is the one worth reporting.
 */
final class Writeback {
    /** Bytes written between flushes; also the smallest file that gets them. */
    static final long STRETCH_BYTES = 32L << 20;
    private static final Executor FLUSHERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "kubecrawl-writeback");
        thread.setDaemon(true);
        return thread;
    });

    private final FileChannel channel;
    private final AtomicBoolean flushing = new AtomicBoolean();
    private long requestedAt;
    private volatile IOException failure;

    private Writeback(FileChannel channel, long startedAt) {
        this.channel = channel;
        this.requestedAt = startedAt;
    }

    /** Writeback for a file of {@code size} bytes being written from {@code offset}; null when too small to matter. */
    static Writeback forFile(FileChannel channel, long offset, long size) {
        return size - offset >= STRETCH_BYTES ? new Writeback(channel, offset) : null;
    }

    /** Called by the writing thread after each write: {@code position} bytes are now in the file. */
    void written(long position) {
        if (position - requestedAt >= STRETCH_BYTES && flushing.compareAndSet(false, true)) {
            requestedAt = position;
            FLUSHERS.execute(this::flush);
        }
    }

    private void flush() {
        try {
            channel.force(false);
        } catch (ClosedChannelException abandoned) {
            // The attempt ended (failed or cut off) while the flush ran: nothing of it is kept.
        } catch (IOException failed) {
            if (failure == null) {
                failure = failed;
            }
        } finally {
            flushing.set(false);
        }
    }

    /** @throws IOException the first failure of a background flush */
    void check() throws IOException {
        IOException failed = failure;
        if (failed != null) {
            throw failed;
        }
    }
}
