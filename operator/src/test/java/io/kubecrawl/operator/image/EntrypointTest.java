package io.kubecrawl.operator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image's entrypoint ({@code src/main/sh/kubecrawl-operator}), run as the image runs it, on an
 * application of one class in place of the operator: the class-data archive a run trains, its use by the next start,
 * the stop that writes it, and the runs that must not leave one.
 */
class EntrypointTest {

    private static final Path SCRIPT = Path.of("src/main/sh/kubecrawl-operator");
    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Path app;
    private Path archives;

    /** The application: prints the JVM's flags, then exits with the status it is given or waits to be stopped. */
    public static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("probe flags: " + java.lang.management.ManagementFactory.getRuntimeMXBean()
                    .getInputArguments());
            if (args[0].equals("wait")) {
                System.out.println("probe waiting");
                new CountDownLatch(1).await();
            }
            System.exit(Integer.parseInt(args[0]));
        }
    }

    @BeforeEach
    void application() throws IOException {
        app = Files.createDirectories(dir.resolve("app"));
        archives = dir.resolve("data/class-data");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        String classFile = Probe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(app.resolve("quarkus-run.jar"));
                JarOutputStream jar = new JarOutputStream(file, manifest);
                InputStream bytes = Probe.class.getClassLoader().getResourceAsStream(classFile)) {
            jar.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(jar);
            jar.closeEntry();
        }
    }

    @Test
    void aRunThatEndsWritesTheArchiveThatTheNextStartLoadsItsClassesFrom() throws Exception {
        Run training = start(Map.of(), "0");
        assertThat(training.awaitExit()).isZero();
        assertThat(training.output()).contains("-XX:ArchiveClassesAtExit=" + archives.resolve("training-"));
        Path archive = onlyArchive();
        assertThat(archive.getFileName().toString()).matches("operator-\\d+\\.jsa");

        Run next = start(Map.of("JAVA_OPTS", "-Xlog:class+load=info"), "0");
        assertThat(next.awaitExit()).isZero();
        assertThat(next.output())
                .contains("kubecrawl-operator: starting from the class-data archive " + archive)
                .contains("-XX:SharedArchiveFile=" + archive)
                .contains(Probe.class.getName() + " source: shared objects file (top)")
                .doesNotContain("ArchiveClassesAtExit");
    }

    @Test
    void aStoppedRunPassesTheStopToTheJvmAndKeepsTheArchiveItWrote() throws Exception {
        Run training = start(Map.of(), "wait");
        training.awaitOutput("probe waiting");

        training.process.destroy();

        assertThat(training.awaitExit()).as("128 + SIGTERM, as the JVM exited").isEqualTo(143);
        assertThat(onlyArchive().getFileName().toString()).startsWith("operator-");
    }

    @Test
    void aKilledOrFailedRunLeavesNoArchive() throws Exception {
        Run killed = start(Map.of(), "wait");
        killed.awaitOutput("probe waiting");
        ProcessHandle jvm = killed.process.children().findFirst().orElseThrow();

        jvm.destroyForcibly();

        assertThat(killed.awaitExit()).as("128 + SIGKILL").isEqualTo(137);
        assertThat(archiveFiles()).isEmpty();

        Run failed = start(Map.of(), "3");
        assertThat(failed.awaitExit()).isEqualTo(3);
        assertThat(archiveFiles()).as("a failed run's archive may be of a start that went wrong").isEmpty();
    }

    @Test
    void anotherBuildTrainsItsOwnArchiveAndTheOldOneIsDeleted() throws Exception {
        assertThat(start(Map.of(), "0").awaitExit()).isZero();
        Path old = onlyArchive();

        Files.writeString(app.resolve("lib-added-by-the-next-build.jar"), "not read");
        Run next = start(Map.of(), "0");

        assertThat(next.awaitExit()).isZero();
        assertThat(next.output()).contains("ArchiveClassesAtExit").doesNotContain("SharedArchiveFile");
        assertThat(onlyArchive()).isNotEqualTo(old);
    }

    @Test
    void anEmptyDirectoryOrOneThatCannotBeWrittenStartsTheJvmWithoutAnArchive() throws Exception {
        Run off = start(Map.of("KUBECRAWL_CLASS_DATA_ARCHIVE", ""), "0");
        assertThat(off.awaitExit()).isZero();
        assertThat(off.output()).doesNotContain("ArchiveClassesAtExit").doesNotContain("SharedArchiveFile");

        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run unwritable = start(Map.of("KUBECRAWL_CLASS_DATA_ARCHIVE", file.resolve("class-data").toString()), "0");
        assertThat(unwritable.awaitExit()).isZero();
        assertThat(unwritable.output()).contains("is not writable; starting without a class-data archive")
                .doesNotContain("ArchiveClassesAtExit");
    }

    private Path onlyArchive() throws IOException {
        List<Path> files = archiveFiles();
        assertThat(files).as("the archive directory's files").hasSize(1);
        return files.get(0);
    }

    private List<Path> archiveFiles() throws IOException {
        if (!Files.isDirectory(archives)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(archives)) {
            return files.toList();
        }
    }

    private Run start(Map<String, String> env, String probeArgument) throws IOException {
        Path output = Files.createTempFile(dir, "run", ".log");
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toAbsolutePath().toString(), probeArgument));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> environment = new HashMap<>(Map.of("KUBECRAWL_APP_DIR", app.toString(),
                "KUBECRAWL_DATA_DIR", dir.resolve("data").toString(),
                "JAVA_HOME", System.getProperty("java.home")));
        environment.putAll(env);
        builder.environment().putAll(environment);
        return new Run(builder.start(), output);
    }

    private record Run(Process process, Path log) {

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as("exited; output: %s", output())
                    .isTrue();
            return process.exitValue();
        }

        void awaitOutput(String line) {
            await("the line " + line).atMost(START).until(() -> output().contains(line));
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
