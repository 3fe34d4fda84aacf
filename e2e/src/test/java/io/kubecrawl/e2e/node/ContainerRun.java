package io.kubecrawl.e2e.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;

/**
 * One container of a pod on the test node, as a local process: started, restarted when its pod's policy says so,
 * stopped with SIGTERM and then SIGKILL, and reported as the kubelet reports a container (state, exit code,
 * termination message, restart count, readiness).
 */
final class ContainerRun {
    /** What a kubelet keeps of a log for {@code FallbackToLogsOnError}: its last 80 lines, at most 2 KiB. */
    private static final int MESSAGE_LINES = 80;
    private static final int MESSAGE_BYTES = 2048;

    private final Container container;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path workingDir;
    private final Path log;
    private Process process;
    private Instant startedAt;
    private Instant finishedAt;
    private Integer exitCode;
    private String waitingReason = "ContainerCreating";
    private String waitingMessage;
    private int restarts;
    private boolean ready;

    ContainerRun(Container container, List<String> command, Map<String, String> env, Path workingDir, Path log) {
        this.container = container;
        this.command = command;
        this.env = env;
        this.workingDir = workingDir;
        this.log = log;
    }

    /** A container this node cannot run: it waits with the reason, as one whose image cannot be pulled does. */
    static ContainerRun unrunnable(Container container, String reason, String message) {
        ContainerRun run = new ContainerRun(container, null, Map.of(), null, null);
        run.waitingReason = reason;
        run.waitingMessage = message;
        return run;
    }

    boolean runnable() {
        return command != null;
    }

    String name() {
        return container.getName();
    }

    Container container() {
        return container;
    }

    /** Starts (or starts again) the process; the future completes with its exit code. */
    synchronized CompletableFuture<Integer> start() throws IOException {
        if (process != null) {
            restarts++;
        }
        Files.writeString(log, "=== container " + name() + " start " + (restarts + 1) + ": " + String.join(" ",
                command) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        process = builder.start();
        startedAt = Instant.now();
        finishedAt = null;
        exitCode = null;
        waitingReason = null;
        ready = false;
        Process started = process;
        return started.onExit().thenApply(ended -> {
            synchronized (this) {
                if (process == started) {
                    exitCode = ended.exitValue();
                    finishedAt = Instant.now();
                    ready = false;
                }
            }
            return ended.exitValue();
        });
    }

    /** SIGTERM to the container's main process, then SIGKILL to it and everything it started after the grace. */
    void stop(long graceSeconds) {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running == null || !running.isAlive()) {
            return;
        }
        List<ProcessHandle> children = running.descendants().toList();
        running.destroy();
        try {
            if (!running.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGKILL to the process and its descendants, as when its cgroup is killed. */
    void kill() {
        Process running;
        synchronized (this) {
            running = process;
        }
        if (running != null) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The process started by this run, or null before the first start: what a test kills to crash a container. */
    synchronized Process process() {
        return process;
    }

    synchronized void ready(boolean ready) {
        this.ready = ready && isRunning();
    }

    synchronized boolean ready() {
        return ready;
    }

    synchronized Integer exitCode() {
        return exitCode;
    }

    synchronized ContainerStatus status() {
        ContainerState state;
        if (exitCode != null) {
            boolean failed = exitCode != 0;
            state = new ContainerStateBuilder().withNewTerminated()
                    .withExitCode(exitCode)
                    .withReason(failed ? "Error" : "Completed")
                    .withMessage(failed && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())
                            ? lastLines() : null)
                    .withStartedAt(startedAt.toString())
                    .withFinishedAt(finishedAt.toString())
                    .endTerminated().build();
        } else if (process != null) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt.toString()).endRunning()
                    .build();
        } else {
            state = new ContainerStateBuilder().withNewWaiting().withReason(waitingReason)
                    .withMessage(waitingMessage).endWaiting().build();
        }
        return new ContainerStatusBuilder()
                .withName(name())
                .withImage(container.getImage())
                .withImageID("")
                .withReady(ready)
                .withStarted(process != null && process.isAlive())
                .withRestartCount(restarts)
                .withState(state)
                .build();
    }

    private String lastLines() {
        try {
            List<String> lines = Files.readAllLines(log);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - MESSAGE_LINES), lines.size()));
            return tail.length() > MESSAGE_BYTES ? tail.substring(tail.length() - MESSAGE_BYTES) : tail;
        } catch (IOException e) {
            return "cannot read the container's log: " + e.getMessage();
        }
    }

    Path log() {
        return log;
    }
}
