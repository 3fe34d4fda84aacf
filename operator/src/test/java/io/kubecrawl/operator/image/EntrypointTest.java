package io.kubecrawl.operator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubecrawl.operator.recovery.ClassDataDump;

/**
 * The operator image's entrypoint ({@code src/main/sh/kubecrawl-operator}), run as the image runs it, on an
 * application of its own in place of the operator that writes the class-data archive with the operator's
 * {@link ClassDataDump} when asked to: the archive a run trains, its use by the next start, and the starts without
 * one. The tests run the entrypoint on this JVM (a dynamic CDS archive before JDK 25) unless they say otherwise; the AOT
 * cache that JDK 25 and later keep, on a JDK 25 or later found where Debian installs JDKs.
 */
class EntrypointTest {

    private static final Path SCRIPT = Path.of("src/main/sh/kubecrawl-operator");
    private static final Duration START = Duration.ofSeconds(30);
    private static final String ARCHIVE_PROPERTY = "kubecrawl.recovery.class-data-archive";
    private static final Path JDKS = Path.of("/usr/lib/jvm");
    private static final Pattern FEATURE = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    @TempDir
    Path dir;
    private Path app;
    private Path archives;

    /**
     * The application: prints the JVM's flags; then, by its argument, writes the archive where the entrypoint asked for
     * it as the operator does, waits to be stopped, or exits with the status it is given.
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            System.out.println("probe flags: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println("probe MaxHeapSize: " + ManagementFactory.getPlatformMXBean(
                    HotSpotDiagnosticMXBean.class).getVMOption("MaxHeapSize").getValue());
            switch (args[0]) {
                case "dump" -> {
                    ClassDataDump.Written written = ClassDataDump.write(Path.of(System.getProperty(ARCHIVE_PROPERTY)));
                    System.out.println("probe wrote " + written.bytes() + " bytes");
                    System.exit(0);
                }
                case "wait" -> {
                    System.out.println("probe waiting");
                    new CountDownLatch(1).await();
                }
                default -> System.exit(Integer.parseInt(args[0]));
            }
        }
    }

    @BeforeEach
    void application() throws IOException {
        app = Files.createDirectories(dir.resolve("app"));
        archives = dir.resolve("data/class-data");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        try (OutputStream file = Files.newOutputStream(app.resolve("quarkus-run.jar"));
                JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (Class<?> type : List.of(Probe.class, ClassDataDump.class, ClassDataDump.Written.class)) {
                String classFile = type.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(classFile));
                try (InputStream bytes = type.getClassLoader().getResourceAsStream(classFile)) {
                    bytes.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
    }

    @Test
    void aStartWithoutAnArchiveRecordsOneAndTheNextStartLoadsItsClassesFromIt() throws Exception {
        Run training = start(Map.of(), "dump");

        assertThat(training.awaitExit()).isZero();
        Path archive = onlyArchive();
        assertThat(archive.getFileName().toString()).matches("operator-\\d+\\.jsa");
        assertThat(training.output())
                .contains("kubecrawl-operator: no class-data archive for this build yet; the operator writes "
                        + archive)
                .contains("-XX:+RecordDynamicDumpInfo", "-D" + ARCHIVE_PROPERTY + "=" + archive)
                .as("flags JDK 17 does not know").doesNotContain("--enable-native-access", "--sun-misc")
                .contains("probe wrote " + Files.size(archive) + " bytes")
                .as("the JVM's warnings about the classes it left out").doesNotContain("[cds]");

        Run next = start(Map.of("JAVA_OPTS", "-Xlog:class+load=info"), "0");
        assertThat(next.awaitExit()).isZero();
        assertThat(next.output())
                .contains("kubecrawl-operator: starting from the class-data archive " + archive)
                .contains("-XX:SharedArchiveFile=" + archive)
                .contains(Probe.class.getName() + " source: shared objects file (top)")
                .doesNotContain("RecordDynamicDumpInfo", ARCHIVE_PROPERTY);
    }

    @Test
    void onJdk25TheArchiveIsAnAotCacheInPlaceOfTheOlderJdksArchiveAndTheNextStartLoadsItsClassesFromIt()
            throws Exception {
        Path jdk25 = jdk25OrSkip();
        assertThat(start(Map.of(), "dump").awaitExit()).isZero();
        Path olderJdksArchive = onlyArchive();

        Run training = start(Map.of("JAVA_HOME", jdk25.toString()), "dump");

        assertThat(training.awaitExit()).isZero();
        Path archive = onlyArchive();
        assertThat(archive.getFileName().toString()).matches("operator-\\d+\\.aot");
        assertThat(archive).isNotEqualTo(olderJdksArchive);
        assertThat(training.output())
                .contains("kubecrawl-operator: no class-data archive for this build yet; the operator writes "
                        + archive)
                .contains("-XX:AOTCacheOutput=" + archive + ".partial", "-D" + ARCHIVE_PROPERTY + "=" + archive)
                .contains("probe wrote " + Files.size(archive) + " bytes")
                .contains("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                .as("the JVM's warnings about the classes it left out").doesNotContain("[aot]");

        Run next = start(Map.of("JAVA_HOME", jdk25.toString(), "JAVA_OPTS", "-Xlog:class+load=info"), "0");
        assertThat(next.awaitExit()).isZero();
        assertThat(next.output())
                .contains("kubecrawl-operator: starting from the class-data archive " + archive)
                .contains("-XX:AOTCache=" + archive)
                .contains(Probe.class.getName() + " source: shared objects file")
                .doesNotContain("AOTCacheOutput", ARCHIVE_PROPERTY);
    }

    @Test
    void aJdk25RunStoppedBeforeItsDumpLeavesOnlyATemporaryCacheAndTheNextStartRecordsAgain() throws Exception {
        Map<String, String> env = Map.of("JAVA_HOME", jdk25OrSkip().toString());

        // The JVM writes its cache as it exits, as an operator stopped within a minute of its recovery does.
        assertThat(start(env, "0").awaitExit()).isZero();
        assertThat(archiveFiles()).singleElement().asString().endsWith(".aot.partial");

        Run next = start(env, "0");
        assertThat(next.awaitExit()).isZero();
        assertThat(next.output()).contains("no class-data archive for this build yet", "AOTCacheOutput")
                .doesNotContain("-XX:AOTCache=");
    }

    @Test
    void theHeapIsHalfTheMemoryUnlessJavaOptsSaysOtherwise() throws Exception {
        // -XX:MaxRAM stands for the container's memory limit, which the JVM reads in a pod.
        Run byDefault = start(Map.of("JAVA_OPTS", "-XX:MaxRAM=1g"), "0");
        Run quarter = start(Map.of("JAVA_OPTS", "-XX:MaxRAM=1g -XX:MaxRAMPercentage=25"), "0");
        Run given = start(Map.of("JAVA_OPTS", "-XX:MaxRAM=1g -Xmx300m"), "0");

        for (Run run : List.of(byDefault, quarter, given)) {
            assertThat(run.awaitExit()).isZero();
        }
        assertThat(byDefault.output()).contains("probe MaxHeapSize: " + (512L << 20));
        assertThat(quarter.output()).contains("probe MaxHeapSize: " + (256L << 20));
        assertThat(given.output()).contains("probe MaxHeapSize: " + (300L << 20));
    }

    @Test
    void javaReplacesTheScriptSoThatItIsTheProcessThatGetsSigterm() throws Exception {
        for (boolean withArchive : List.of(false, true)) {
            if (withArchive) {
                assertThat(start(Map.of(), "dump").awaitExit()).isZero();
            }
            Run run = start(Map.of(), "wait");
            run.awaitOutput("probe waiting");

            assertThat(run.process.children()).as("processes the entrypoint started").isEmpty();
            assertThat(run.process.info().command()).get().asString().endsWith("/java");

            run.process.destroy();
            assertThat(run.awaitExit()).as("128 + SIGTERM, from the JVM").isEqualTo(143);
        }
    }

    @Test
    void aRunThatWroteNoArchiveLeavesNoneAndTheNextStartRecordsAgain() throws Exception {
        assertThat(start(Map.of(), "3").awaitExit()).isEqualTo(3);
        assertThat(archiveFiles()).isEmpty();

        Run next = start(Map.of(), "0");
        assertThat(next.awaitExit()).isZero();
        assertThat(next.output()).contains("RecordDynamicDumpInfo").doesNotContain("SharedArchiveFile");
    }

    @Test
    void anotherBuildRecordsItsOwnArchiveAndTheOldOneIsDeleted() throws Exception {
        assertThat(start(Map.of(), "dump").awaitExit()).isZero();
        Path old = onlyArchive();

        Files.writeString(app.resolve("lib-added-by-the-next-build.jar"), "not read");
        Run next = start(Map.of(), "dump");

        assertThat(next.awaitExit()).isZero();
        assertThat(next.output()).contains("RecordDynamicDumpInfo").doesNotContain("SharedArchiveFile");
        assertThat(onlyArchive()).isNotEqualTo(old);
    }

    @Test
    void anEmptySettingOrADirectoryThatCannotBeWrittenStartsTheJvmWithoutAnArchive() throws Exception {
        Run off = start(Map.of("KUBECRAWL_CLASS_DATA_ARCHIVE", ""), "0");
        assertThat(off.awaitExit()).isZero();
        assertThat(off.output()).doesNotContain("RecordDynamicDumpInfo").doesNotContain("SharedArchiveFile");

        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run unwritable = start(Map.of("KUBECRAWL_CLASS_DATA_ARCHIVE", file.resolve("class-data").toString()), "0");
        assertThat(unwritable.awaitExit()).isZero();
        assertThat(unwritable.output()).contains("is not writable; starting without a class-data archive")
                .doesNotContain("RecordDynamicDumpInfo");
    }

    /**
     * A JDK 25 or later where Debian installs JDKs, by the {@code release} file each has; the test is skipped, and says
     * why, without one.
     */
    private static Path jdk25OrSkip() throws IOException {
        Optional<Path> jdk = Optional.empty();
        if (Files.isDirectory(JDKS)) {
            try (Stream<Path> homes = Files.list(JDKS)) {
                jdk = homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                        .filter(home -> feature(home) >= 25).sorted().findFirst();
            }
        }
        assumeTrue(jdk.isPresent(), "no JDK 25 or later in " + JDKS + ": the AOT cache is not tested");
        return jdk.get();
    }

    private static int feature(Path home) {
        try {
            Matcher version = FEATURE.matcher(Files.readString(home.resolve("release")));
            return version.find() ? Integer.parseInt(version.group(1)) : 0;
        } catch (IOException noReleaseFile) {
            return 0;
        }
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
        ProcessBuilder builder = new ProcessBuilder("sh", SCRIPT.toAbsolutePath().toString(), probeArgument)
                .redirectErrorStream(true).redirectOutput(output.toFile());
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
