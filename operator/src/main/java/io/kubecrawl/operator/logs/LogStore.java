package io.kubecrawl.operator.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.kubecrawl.operator.outputs.JobDirectories;
import io.kubecrawl.operator.outputs.JobOutputStore;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerName;

/**
 * The logs of every job, one file per worker that outlives the worker's pod:
 *
 * <pre>
 * logs/&lt;namespace&gt;/&lt;job&gt;/&lt;worker&gt;.log        the worker's stdout and stderr lines, in arrival order
 * logs/&lt;namespace&gt;/&lt;job&gt;/&lt;worker&gt;.log.done   present once the log is finished
 * </pre>
 *
 * <p>A log keeps its name for good, so a reader that opened it before it was finished reads on to its end, and one
 * that comes after still finds it. Followers wait on the log's monitor, which every append and the finish signal.
 */
public class LogStore implements JobOutputStore {

    private static final String DONE = ".done";
    private final JobDirectories directories;
    private final Map<Path, Object> monitors = new ConcurrentHashMap<>();

    public LogStore(Path dataDir) {
        Path root = dataDir.resolve("logs");
        this.directories = new JobDirectories(root);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root, e);
        }
    }

    /** Appends lines (each ending in a newline) to a worker's log; a finished log is reopened by new lines. */
    public void append(CrawlJobName job, String worker, String lines) {
        Path log = logFile(job, worker);
        Object monitor = monitor(log);
        synchronized (monitor) {
            try {
                try {
                    appendTo(log, lines);
                } catch (NoSuchFileException firstLineOfTheJob) {
                    // The job's directory is made once, by its first line, not checked on every line.
                    Files.createDirectories(log.getParent());
                    appendTo(log, lines);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            monitor.notifyAll();
        }
    }

    private static void appendTo(Path log, String lines) throws IOException {
        Files.writeString(log, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Marks a worker's log finished: followers read to its end and stop. */
    public void finish(CrawlJobName job, String worker) {
        Path log = logFile(job, worker);
        Object monitor = monitor(log);
        synchronized (monitor) {
            try {
                Files.createDirectories(log.getParent());
                if (!Files.exists(log)) {
                    Files.createFile(log);
                }
                Files.writeString(done(log), "", StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            monitor.notifyAll();
        }
    }

    /** Marks every log of a finished job finished. */
    public void finishAll(CrawlJobName job) {
        workers(job).forEach(worker -> finish(job, worker));
    }

    /**
     * Removes every log of the job: before a new job of a reused name writes any, and when a deleted job's outputs
     * are collected. A reader that has a log open reads it to its end.
     */
    @Override
    public void deleteAll(CrawlJobName job) {
        try {
            directories.delete(job);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        monitors.keySet().removeIf(log -> log.startsWith(directories.of(job)));
    }

    @Override
    public String kind() {
        return "logs";
    }

    @Override
    public JobDirectories directories() {
        return directories;
    }

    public List<String> workers(CrawlJobName job) {
        Path dir = directories.of(job);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".log"))
                    .map(n -> n.substring(0, n.length() - ".log".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the worker has a log (finished or not). */
    public boolean exists(CrawlJobName job, String worker) {
        return Files.exists(logFile(job, worker));
    }

    public boolean isFinished(CrawlJobName job, String worker) {
        return Files.exists(done(logFile(job, worker)));
    }

    /**
     * Opens a worker's log from its start. With {@code follow}, the stream waits for new lines and ends when the log
     * is finished and read to its end; without, it ends at the current end.
     */
    public Optional<InputStream> open(CrawlJobName job, String worker, boolean follow) {
        Path log = logFile(job, worker);
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        try {
            InputStream in = Files.newInputStream(log);
            return Optional.of(follow ? new FollowingLogStream(in, monitor(log), () -> Files.exists(done(log))) : in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a log to {@code out}, following it if asked. */
    public boolean writeTo(CrawlJobName job, String worker, boolean follow, OutputStream out) throws IOException {
        Optional<InputStream> in = open(job, worker, follow);
        if (in.isEmpty()) {
            return false;
        }
        try (InputStream log = in.get()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = log.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        return true;
    }

    private Path logFile(CrawlJobName job, String worker) {
        if (!WorkerName.isValid(worker)) {
            throw new IllegalArgumentException("not a worker name: " + worker);
        }
        return directories.of(job).resolve(worker + ".log");
    }

    private static Path done(Path log) {
        return log.resolveSibling(log.getFileName() + DONE);
    }

    private Object monitor(Path log) {
        return monitors.computeIfAbsent(log, p -> new Object());
    }
}
