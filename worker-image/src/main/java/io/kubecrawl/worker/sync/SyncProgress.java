package io.kubecrawl.worker.sync;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the downloads are, logged at most once a second while they run (files, bytes, rate), and a summary line at
 * the end. A sync that finishes within the first second logs only the summary.
 */
final class SyncProgress implements AutoCloseable {
    private final PrintWriter log;
    private final String prefix;
    private final long totalFiles;
    private final long totalBytes;
    private final long startedAt = System.nanoTime();
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private long lastBytes;
    private long lastAt = startedAt;

    SyncProgress(PrintWriter log, String prefix, long totalFiles, long totalBytes) {
        this.log = log;
        this.prefix = prefix;
        this.totalFiles = totalFiles;
        this.totalBytes = totalBytes;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kubecrawl-sync-progress");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::report, 1, 1, TimeUnit.SECONDS);
    }

    void addBytes(long count) {
        bytes.addAndGet(count);
    }

    /** Bytes received and then thrown away (a part file that failed its check): they no longer count as progress. */
    void discardBytes(long count) {
        bytes.addAndGet(-count);
    }

    void fileDone() {
        files.incrementAndGet();
    }

    private synchronized void report() {
        long now = System.nanoTime();
        long received = bytes.get();
        double rate = (received - lastBytes) / Math.max((now - lastAt) / 1e9, 1e-9);
        lastBytes = received;
        lastAt = now;
        log.println(prefix + String.format(Locale.ROOT, "%d/%d files, %s/%s, %s/s", files.get(), totalFiles,
                size(received), size(totalBytes), size((long) rate)));
        log.flush();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
