package io.kubecrawl.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/kubecrawl-worker.jar} as a separate process, the way the pod runs it: the shaded jar, its own
 * JVM and heap limit, the environment of the pod template.
 */
final class WorkerProcess {
    private final Process process;
    private final Path stderr;

    private WorkerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("kubecrawl.worker.jar", "target/kubecrawl-worker.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after 'package' (./mvnw verify)");
        }
        return jar;
    }

    /** Starts {@code kubecrawl-worker sync} against {@code server} into {@code target}, stderr to {@code log}. */
    static WorkerProcess sync(DirectoryBundleServer server, Path target, Path log, String heap, String... options)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-jar", jar().toString(), "sync", "--target=" + target));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> environment = builder.environment();
        environment.putAll(CliRun.podEnvironment());
        environment.put("KUBECRAWL_OPERATOR_ADDRESS", server.address());
        environment.put("KUBECRAWL_BUNDLE_DIGEST", server.digest());
        return new WorkerProcess(builder.start(), log);
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the worker did not finish in " + seconds + " s");
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }
}
