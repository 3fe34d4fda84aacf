package io.kubecrawl.worker.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.LogLine;

/**
 * One run of the spider command: the child process and the two pumps that copy its stdout and stderr line by line to
 * a {@link SpiderOutput}, tagged with the batch in flight (a session process serves several). It keeps the last
 * {@value #STDERR_TAIL_LINES} lines of stderr, which a failure report carries.
 */
final class SpiderProcess {
    static final int STDERR_TAIL_LINES = 20;
    /**
     * How long the pumps may go on after the process exited: a grandchild the spider left running can hold the pipes
     * open forever, and the batch must still be reported.
     */
    static final Duration PUMP_DRAIN = Duration.ofSeconds(5);

    private final Process process;
    private final Duration stopGrace;
    private final Thread stdout;
    private final Thread stderr;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private boolean stopping;
    /** What the output is tagged with: the batch in flight, or the last one while the process waits for the next. */
    private volatile BatchRef batch;

    private SpiderProcess(Process process, Duration stopGrace, BatchRef batch, SpiderOutput output) {
        this.process = process;
        this.stopGrace = stopGrace;
        this.batch = batch;
        this.stdout = pump("spider-stdout-" + process.pid(), new OutputPump(process.getInputStream(),
                line -> output.line(LogLine.Source.STDOUT, this.batch, line)));
        this.stderr = pump("spider-stderr-" + process.pid(), new OutputPump(process.getErrorStream(), line -> {
            rememberStderr(line);
            output.line(LogLine.Source.STDERR, this.batch, line);
        }));
    }

    /**
     * Starts {@code command} in {@code workdir} with exactly {@code environment}. Its stdin is closed at once: a
     * spider that reads it gets end-of-file rather than waiting forever.
     *
     * @throws IOException if the process cannot be started (no such program, no such directory, not executable)
     */
    static SpiderProcess start(List<String> command, Path workdir, Map<String, String> environment, BatchRef batch,
            SpiderOutput output, Duration stopGrace) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workdir.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        SpiderProcess spider = new SpiderProcess(process, stopGrace, batch, output);
        spider.stdout.start();
        spider.stderr.start();
        return spider;
    }

    long pid() {
        return process.pid();
    }

    /** From now on the output is tagged with {@code batch}. */
    void tagOutput(BatchRef batch) {
        this.batch = batch;
    }

    /** Completes when the process has exited (its output may still be on its way). */
    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Whether the process exits within {@code timeout}. */
    boolean exitsWithin(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the process to exit and its output to be copied; returns its exit code (128 + n for signal n). */
    int waitFor() throws InterruptedException {
        int exitCode = process.waitFor();
        long deadline = System.nanoTime() + PUMP_DRAIN.toNanos();
        stdout.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        stderr.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return exitCode;
    }

    /**
     * Stops the process and everything it started: SIGTERM to the whole tree (a shell script's children would
     * otherwise live on and keep the output pipes open), then SIGKILL to what is left after the grace period.
     * Returns once the process has exited; calling it again does nothing.
     */
    void stop() throws InterruptedException {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        if (!process.isAlive()) {
            // Destroying an exited process closes its output pipes under the pumps, losing what they still hold.
            return;
        }
        // Collected before the parent dies: its orphans are no longer its descendants afterwards.
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        if (process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            return;
        }
        tree.addAll(process.descendants().toList());
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
    }

    /** The last lines of stderr, oldest first. */
    synchronized List<String> stderrTail() {
        return List.copyOf(stderrTail);
    }

    private synchronized void rememberStderr(String line) {
        if (stderrTail.size() == STDERR_TAIL_LINES) {
            stderrTail.removeFirst();
        }
        stderrTail.addLast(line);
    }

    private static Thread pump(String name, Runnable pump) {
        Thread thread = new Thread(pump, name);
        thread.setDaemon(true);
        return thread;
    }
}
