package io.kubecrawl.worker.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/kubecrawl-worker.jar run ... -- <spider>} as a separate process, the way the pod runs it:
 * the shaded jar in its own JVM, the pod template's environment, its stdout and stderr in files.
 */
final class AgentProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private AgentProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("kubecrawl.worker.jar", "target/kubecrawl-worker.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after 'package' (./mvnw verify)");
        }
        return jar;
    }

    static AgentProcess start(String operatorAddress, List<String> options, List<String> spiderCommand, Path logs)
            throws IOException {
        return start(operatorAddress, options, spiderCommand, logs, System.getenv());
    }

    /** With {@code inherited} as the agent's environment, under the pod template's variables. */
    static AgentProcess start(String operatorAddress, List<String> options, List<String> spiderCommand, Path logs,
            Map<String, String> inherited) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m", "-jar", jar().toString(), "run"));
        command.addAll(options);
        command.add("--");
        command.addAll(spiderCommand);
        Files.createDirectories(logs);
        Path out = logs.resolve("agent.out");
        Path err = logs.resolve("agent.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(inherited);
        builder.environment().putAll(InProcessAgent.podEnvironment(operatorAddress));
        return new AgentProcess(builder.start(), out, err);
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the agent did not finish in " + seconds + " s");
        }
        return process.exitValue();
    }

    /** SIGTERM, as the kubelet sends when the pod is deleted. */
    void terminate() {
        process.destroy();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }
}
