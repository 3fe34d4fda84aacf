package io.kubecrawl.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.crd.v1alpha1.ApiGroup;

/**
 * kstatus, the library Flux and kpt compute health with, run on an object of the cluster: {@code e2e/kstatus} is a
 * small Go program on {@code sigs.k8s.io/cli-utils/pkg/kstatus/status}, built on first use into target/ (Go's build
 * cache makes later builds a no-op).
 */
final class Kstatus {

    private static final Path SOURCE = Checkout.ROOT.resolve("e2e/kstatus");
    private static final Path BINARY = Checkout.ROOT.resolve("e2e/target/kstatus/kstatus");

    /** What kstatus computes, e.g. {@code InProgress}, {@code Current}, {@code Failed}, and its message. */
    record Result(String status, String message) {
    }

    private Kstatus() {
    }

    /** Whether {@code go} can build the program here; where the suite runs on k3s, Go may be absent. */
    static boolean available() {
        try {
            return run(List.of("go", "version"), Checkout.ROOT).exitCode == 0;
        } catch (IOException noGo) {
            return false;
        }
    }

    /**
     * Builds the program unless it is built: a test that asks a running object's status builds it first, so that the
     * build (most of a minute with Go's build cache cold, as on a fresh CI machine) does not outlast what it observes.
     */
    static synchronized void build() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            Files.createDirectories(BINARY.getParent());
            Run build = run(List.of("go", "build", "-o", BINARY.toString(), "."), SOURCE);
            if (build.exitCode != 0) {
                throw new IllegalStateException("go build of e2e/kstatus failed: " + build.output);
            }
        }
    }

    static synchronized Result of(Path kubeConfig, String kind, String namespace, String name) throws IOException {
        build();
        Run result = run(List.of(BINARY.toString(), kubeConfig.toString(), ApiGroup.API_VERSION,
                kind, namespace, name), SOURCE);
        if (result.exitCode != 0) {
            throw new IllegalStateException("kstatus of " + kind + " " + namespace + "/" + name + " failed: "
                    + result.output);
        }
        String line = result.output.strip();
        int space = line.indexOf(' ');
        return space < 0 ? new Result(line, "") : new Result(line.substring(0, space), line.substring(space + 1));
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command, Path directory) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("GOFLAGS", "-mod=mod");
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new Run(process.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
    }
}
