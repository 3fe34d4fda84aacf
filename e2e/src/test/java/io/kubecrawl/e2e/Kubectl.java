package io.kubecrawl.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** kubectl as a user runs it against the suite's cluster: its output, and its exit code. */
public final class Kubectl {
    private final Path binary;
    private final Path kubeConfig;

    public Kubectl(Path binary, Path kubeConfig) {
        this.binary = binary;
        this.kubeConfig = kubeConfig;
    }

    public record Result(int exitCode, String output) {
    }

    /** Runs {@code kubectl ARGS}, with its standard error after its standard output. */
    public Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeConfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("kubectl " + String.join(" ", args) + " did not end within 2 minutes");
        }
        return new Result(process.exitValue(), output);
    }
}
