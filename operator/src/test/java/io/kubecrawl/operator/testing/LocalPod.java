package io.kubecrawl.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One worker pod of {@link LocalKubelet}: its containers run one after the other as local processes, each writing
 * its output to a file in the pod's directory; the pod fails at the first container that exits non-zero.
 */
public final class LocalPod {

    private final String name;
    private final Path dir;
    private final List<ProcessBuilder> containers;
    private final Consumer<LocalPod> onEnd;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile Process current;
    private boolean killed;

    LocalPod(String name, Path dir, List<ProcessBuilder> containers, Consumer<LocalPod> onEnd) {
        this.name = name;
        this.dir = dir;
        this.containers = containers;
        this.onEnd = onEnd;
    }

    void start() {
        runContainer(0);
    }

    private void runContainer(int index) {
        Process started;
        boolean wasKilled;
        // Checked and started under the lock that kill() takes: a pod killed now never starts another container.
        synchronized (this) {
            wasKilled = killed;
            if (killed || index == containers.size()) {
                started = null;
            } else {
                try {
                    Path log = dir.resolve("container-" + index + ".log");
                    current = containers.get(index).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start container " + index + " of pod " + name, e);
                }
                started = current;
            }
        }
        if (started == null) {
            finish(wasKilled ? 137 : 0); // outside the lock: finishing calls into the kubelet
            return;
        }
        started.onExit().thenAccept(process -> {
            if (process.exitValue() == 0) {
                runContainer(index + 1);
            } else {
                finish(process.exitValue());
            }
        });
    }

    private void finish(int code) {
        if (exit.complete(code)) {
            onEnd.accept(this);
        }
    }

    public String name() {
        return name;
    }

    /** The pod has not ended yet: true from its start, while its init containers run as well as its main one. */
    public boolean isRunning() {
        return !exit.isDone();
    }

    public boolean succeeded() {
        return exit.isDone() && exit.join() == 0;
    }

    public CompletableFuture<Integer> exit() {
        return exit;
    }

    /** SIGKILL to the pod's processes, children included, as when a node dies. */
    public void kill() {
        Process process;
        synchronized (this) {
            killed = true;
            process = current;
        }
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** What the pod's containers printed so far. */
    public String output() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < containers.size(); i++) {
            try {
                Path log = dir.resolve("container-" + i + ".log");
                if (java.nio.file.Files.exists(log)) {
                    text.append(java.nio.file.Files.readString(log));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return text.toString();
    }
}
