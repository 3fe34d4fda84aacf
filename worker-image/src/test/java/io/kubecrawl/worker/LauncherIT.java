package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's launcher ({@code src/main/sh/kubecrawl-worker}) and its class archive
 * ({@code src/main/sh/kubecrawl-worker-class-archive}) as the Dockerfile uses them, run on the shaded jar.
 */
class LauncherIT {
    private static final Path SCRIPTS = Path.of("src/main/sh");

    @TempDir
    Path tmp;

    private record Result(int exitCode, String out, String err) {
    }

    private Result run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out-", ".txt");
        Path err = Files.createTempFile(tmp, "err-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // The archive is valid only for the JVM that wrote it: the one running these tests writes and reads it.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + System.getenv("PATH"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The jar where the image puts it, relative to its archive: a private copy whose time nothing else changes. */
    private Path installedJar() throws IOException {
        Path jar = tmp.resolve("opt/kubecrawl-worker.jar");
        Files.createDirectories(jar.getParent());
        return Files.copy(WorkerProcess.jar(), jar, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private Result writeArchive(Path jar, Path archive) throws IOException, InterruptedException {
        return run(Map.of(), "sh", SCRIPTS.resolve("kubecrawl-worker-class-archive").toString(), jar.toString(),
                archive.toString());
    }

    /** {@code kubecrawl-worker sync} through the launcher; {@code targetArguments} name the target directory. */
    private Result sync(Path jar, Path archive, DirectoryBundleServer server, String javaOpts,
            String... targetArguments) throws IOException, InterruptedException {
        Map<String, String> environment = new java.util.HashMap<>(CliRun.podEnvironment());
        environment.put("KUBECRAWL_OPERATOR_ADDRESS", server.address());
        environment.put("KUBECRAWL_BUNDLE_DIGEST", server.digest());
        environment.put("KUBECRAWL_WORKER_JAR", jar.toString());
        environment.put("KUBECRAWL_WORKER_CLASS_ARCHIVE", archive.toString());
        environment.put("JAVA_OPTS", javaOpts);
        List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPTS.resolve("kubecrawl-worker").toString(),
                "sync"));
        command.addAll(List.of(targetArguments));
        return run(environment, command.toArray(String[]::new));
    }

    @Test
    void aSyncMapsTheArchivedClassesAndAResyncOfTheBundleTheTargetHoldsSkipsTheOptimisingCompiler() throws Exception {
        Path jar = installedJar();
        Path archive = tmp.resolve("opt/kubecrawl-worker.jsa");
        Result written = writeArchive(jar, archive);
        assertThat(written.exitCode()).as(written.err()).isZero();
        assertThat(archive).isNotEmptyFile();
        Path source = tmp.resolve("source");
        Trees.write(source, "crawlab_project/spiders/quotes.py", "import scrapy\n");
        Trees.write(source, "bin/run.sh", "#!/bin/sh\n", 0755);
        Path target = tmp.resolve("workspace");
        try (DirectoryBundleServer server = DirectoryBundleServer.serve(source)) {
            Result cold = sync(jar, archive, server, "-XX:+PrintFlagsFinal", "--target=" + target);

            assertThat(cold.exitCode()).as(cold.err()).isEqualTo(ExitCodes.DONE);
            assertThat(flag(cold.out(), "TieredStopAtLevel")).as("a first sync hashes: optimised code").isEqualTo("4");
            assertThat(flag(cold.out(), "Tier4InvocationThreshold")).as("only for what is really hot")
                    .isEqualTo("500000");
            assertThat(flag(cold.out(), "UseSerialGC")).isEqualTo("true");
            assertThat(server.reads()).hasSize(2);

            server.resetCounters();
            Path classLog = tmp.resolve("classes.log");
            // Two words, as the operator's pod template writes it.
            Result warm = sync(jar, archive, server, "-XX:+PrintFlagsFinal -Xlog:class+load=info:file=" + classLog,
                    "--target", target.toString());

            assertThat(warm.exitCode()).as(warm.err()).isEqualTo(ExitCodes.DONE);
            assertThat(flag(warm.out(), "TieredStopAtLevel")).isEqualTo("1");
            assertThat(flag(warm.out(), "Tier3BackEdgeThreshold")).as("C1 compiles the loops over every file soon")
                    .isEqualTo("500");
            assertThat(server.manifestCalls() + server.readFileCalls() + server.readFilesCalls())
                    .as("calls to the operator").isZero();
            List<String> syncerLoads = Files.readAllLines(classLog).stream()
                    .filter(line -> line.contains("io.kubecrawl.worker.sync.BundleSyncer ")).toList();
            assertThat(syncerLoads).singleElement().asString().contains("source: shared objects file");
            // picocli's classes are of a bytecode version a dynamic archive leaves out; the static one has them.
            assertThat(Files.readAllLines(classLog)).filteredOn(line -> line.contains(" picocli.CommandLine "))
                    .singleElement().asString().contains("source: shared objects file");
            assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        }
    }

    @Test
    void theAgentBesideASpiderRunsWithoutTheOptimisingCompiler() throws Exception {
        Result help = run(Map.of("KUBECRAWL_WORKER_JAR", WorkerProcess.jar().toString(), "JAVA_OPTS",
                "-XX:+PrintFlagsFinal"), "sh", SCRIPTS.resolve("kubecrawl-worker").toString(), "run", "--help");

        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(flag(help.out(), "TieredStopAtLevel")).isEqualTo("1");
        assertThat(help.out()).contains("Usage: kubecrawl-worker run");
    }

    @Test
    void aStaleArchiveIsIgnoredAndEveryClassLoadedFromTheJarWithNothingOnStdout() throws Exception {
        Path jar = installedJar();
        Path archive = tmp.resolve("opt/kubecrawl-worker.jsa");
        assertThat(writeArchive(jar, archive).exitCode()).isZero();
        // A jar that is not the one the archive was written for, as after an upgrade that forgot the archive.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Path classLog = tmp.resolve("classes.log");

        Result version = run(Map.of("KUBECRAWL_WORKER_JAR", jar.toString(), "KUBECRAWL_WORKER_CLASS_ARCHIVE",
                archive.toString(), "JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog), "sh",
                SCRIPTS.resolve("kubecrawl-worker").toString(), "--version");

        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("kubecrawl-worker ").hasLineCount(1);
        List<String> loads = Files.readAllLines(classLog);
        assertThat(loads).filteredOn(line -> line.contains("io.kubecrawl.worker.KubecrawlWorker "))
                .singleElement().asString().contains("source: file:" + jar);
        assertThat(loads).noneMatch(line -> line.contains("shared objects file"));
    }

    /** The value of a flag in {@code -XX:+PrintFlagsFinal} output. */
    private static String flag(String printed, String name) {
        return printed.lines().filter(line -> line.matches("\\s*\\S+\\s+" + name + "\\s+=.*")).findFirst()
                .map(line -> line.replaceAll(".*=\\s*(\\S+).*", "$1")).orElseThrow();
    }
}
