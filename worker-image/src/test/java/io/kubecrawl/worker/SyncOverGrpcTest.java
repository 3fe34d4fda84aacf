package io.kubecrawl.worker;

import io.kubecrawl.protocol.WorkerEnvironment;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.FileEntry;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.worker.DirectoryBundleServer.Read;
import io.kubecrawl.worker.sync.BundleClient;
import io.kubecrawl.worker.sync.BundleSyncer;
import io.kubecrawl.worker.sync.SyncFailedException;
import io.kubecrawl.worker.sync.SyncResult;
import io.kubecrawl.worker.sync.SyncSettings;

/**
 * {@code kubecrawl-worker sync} against a real grpc-java BundleService on loopback ({@link DirectoryBundleServer}),
 * with real files in temporary directories. The command runs in this JVM through its command line; each test asserts
 * on the files it leaves.
 */
class SyncOverGrpcTest {
    private static final String PREFIX = "kubecrawl-worker sync: ";

    @TempDir
    Path tmp;

    private final List<DirectoryBundleServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(DirectoryBundleServer::close);
    }

    private DirectoryBundleServer serve(Path source) throws IOException {
        DirectoryBundleServer server = DirectoryBundleServer.serve(source);
        servers.add(server);
        return server;
    }

    private static Map<String, String> environment(DirectoryBundleServer server) {
        Map<String, String> environment = CliRun.podEnvironment();
        environment.put("KUBECRAWL_OPERATOR_ADDRESS", server.address());
        environment.put("KUBECRAWL_BUNDLE_DIGEST", server.digest());
        return environment;
    }

    private static CliRun sync(DirectoryBundleServer server, Path target, String... options) {
        return sync(environment(server), target, options);
    }

    private static CliRun sync(Map<String, String> environment, Path target, String... options) {
        List<String> args = new ArrayList<>(List.of("sync", "--target=" + target));
        args.addAll(List.of(options));
        // Short backoff unless the test sets its own: a file failing eight times fails in well under a second.
        if (args.stream().noneMatch(arg -> arg.startsWith("--retry-"))) {
            args.addAll(List.of("--retry-delay-ms=10", "--retry-max-delay-ms=100"));
        }
        return CliRun.execute(environment, args.toArray(String[]::new));
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static Path marker(Path target) {
        return target.resolve(".kubecrawl/complete");
    }

    /** A small Scrapy-like project: nested five deep, with the spider at crawlab_project/spiders/quotes.py. */
    private Path project(String name) throws IOException {
        Path source = tmp.resolve(name);
        Trees.write(source, "scrapy.cfg", "[settings]\ndefault = crawlab_project.settings\n");
        Trees.write(source, "crawlab_project/__init__.py", "");
        Trees.write(source, "crawlab_project/settings.py", "BOT_NAME = 'crawlab_project'\n");
        Trees.write(source, "crawlab_project/spiders/__init__.py", "");
        Trees.write(source, "crawlab_project/spiders/quotes.py", """
                import scrapy


                class QuotesSpider(scrapy.Spider):
                    name = "quotes"

                    def parse(self, response):
                        for quote in response.css("div.quote"):
                            yield {"text": quote.css("span.text::text").get()}
                """);
        Trees.write(source, "data/a/b/c/d/e/deep.txt", "five directories down\n");
        Trees.write(source, "data/a/b/c/d/e/f.json", "{\"deep\": true}\n", 0600);
        return source;
    }

    @Test
    void nestedDirectoriesFiveDeepArriveIntact() throws IOException {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source)).containsKey("data/a/b/c/d/e/deep.txt");
        assertThat(target.resolve("crawlab_project/spiders/quotes.py"))
                .hasSameTextualContentAs(source.resolve("crawlab_project/spiders/quotes.py"));
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
        assertThat(lastLine(run.err())).startsWith(PREFIX + "bundle " + server.digest() + " in place in ")
                .contains("7 files (7 fetched, 0 kept, 0 deleted)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anExecutableScriptKeepsItsModeAndRunsAfterTheSync() throws Exception {
        Path source = tmp.resolve("source");
        Trees.write(source, "bin/hello.sh", "#!/bin/sh\necho \"hello from $(basename \"$0\") in $(pwd)\"\n", 0755);
        Trees.write(source, "bin/private.txt", "not for others\n", 0600);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(serve(source), target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.mode(target.resolve("bin/hello.sh"))).isEqualTo(0755);
        assertThat(Trees.mode(target.resolve("bin/private.txt"))).isEqualTo(0600);
        Process script = new ProcessBuilder(target.resolve("bin/hello.sh").toString()).directory(target.toFile())
                .redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor()).isZero();
        assertThat(output).isEqualTo("hello from hello.sh in " + target.toRealPath() + "\n");
    }

    @Test
    void tenThousandFilesArriveAndAWarmResyncTransfersAndRehashesNothing() throws Exception {
        Path source = tmp.resolve("source");
        byte[] content = new byte[1024];
        for (int i = 0; i < 10_000; i++) {
            byte[] text = ("file " + i + "\n").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, content, 0, text.length);
            Path file = source.resolve("dir" + i / 100).resolve("file" + i + ".txt");
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
        Map<String, String> expected = Trees.describe(source);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");

        CliRun cold = sync(server, target);

        assertThat(cold.exitCode()).as(cold.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).as("each file fetched exactly once").hasSize(10_000)
                .extracting(Read::path).doesNotHaveDuplicates();
        assertThat(server.readFilesCalls()).as("small files come in groups").isPositive().isLessThanOrEqualTo(100);
        assertThat(server.readFileCalls()).isZero();
        assertThat(Trees.describe(target)).isEqualTo(expected);

        server.resetCounters();
        BasicFileAttributes markerBefore = Files.readAttributes(marker(target), BasicFileAttributes.class);
        CliRun warm = sync(server, target);

        assertThat(warm.exitCode()).as(warm.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.readFileCalls() + server.readFilesCalls()).isZero();
        assertThat(server.reads()).isEmpty();
        assertThat(server.bytesSent()).isZero();
        assertThat(server.manifestCalls()).as("the manifest kept in the target hashes to the pinned digest").isZero();
        assertThat(lastLine(warm.err())).contains("10000 files (0 fetched, 10000 kept, 0 deleted)");
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
        BasicFileAttributes markerAfter = Files.readAttributes(marker(target), BasicFileAttributes.class);
        assertThat(markerAfter.fileKey()).as("the marker stayed: the target was complete throughout")
                .isEqualTo(markerBefore.fileKey());

        SyncResult again = syncThroughTheApi(server, target);
        assertThat(again.fetched()).isZero();
        assertThat(again.hashedLocally()).as("files read to learn their sha256").isZero();
        assertThat(Trees.describe(target)).isEqualTo(expected);
    }

    @Test
    void aFileChangedInPlaceWithTheSameSizeIsNoticedAndFetchedAgain() throws Exception {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        assertThat(sync(server, target).exitCode()).isEqualTo(ExitCodes.DONE);
        Path settings = target.resolve("crawlab_project/settings.py");
        String original = Files.readString(settings);
        Thread.sleep(20);
        Files.writeString(settings, original.replace("BOT", "B0T"));
        server.resetCounters();

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(settings).hasContent(original.strip());
        assertThat(server.reads()).containsExactly(new Read("crawlab_project/settings.py", 0));
        assertThat(server.manifestCalls()).as("the kept manifest served").isZero();
    }

    /**
     * Each change a spider (or a person) can make to a synced target makes the next sync compare it with the manifest
     * and restore the bundle; a later sync finds it unchanged again, so the hash cache recorded the repair.
     */
    @Test
    void aTargetChangedSinceItsLastSyncIsComparedWithTheManifestAndRestored() throws Exception {
        Path source = project("source");
        Trees.write(source, "bin/crawl.sh", "#!/bin/sh\n", 0755);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        assertThat(sync(server, target).exitCode()).isEqualTo(ExitCodes.DONE);
        Map<String, TargetChange> changes = new LinkedHashMap<>();
        changes.put("an empty directory added", root -> Files.createDirectories(root.resolve("logs")));
        changes.put("a file added", root -> Files.writeString(root.resolve("crawlab_project/x.py"), "x = 1\n"));
        changes.put("a file deleted", root -> Files.delete(root.resolve("scrapy.cfg")));
        changes.put("a mode changed", root -> Files.setPosixFilePermissions(root.resolve("bin/crawl.sh"),
                PosixFilePermissions.fromString("rw-r--r--")));
        changes.put("a file replaced by a link", root -> {
            Files.delete(root.resolve("crawlab_project/settings.py"));
            Files.createSymbolicLink(root.resolve("crawlab_project/settings.py"), Path.of("/etc/hostname"));
        });

        for (Map.Entry<String, TargetChange> change : changes.entrySet()) {
            change.getValue().applyTo(target);

            CliRun repair = sync(server, target);
            CliRun after = sync(server, target);
            if (!after.err().contains("unchanged since the last sync")) {
                // A file rewritten within the same tick of the kernel's file clock as the cache that records it is
                // "racy" and not trusted (see HashCache): that sync compared with the manifest, read it and recorded
                // it again, this time before the cache's own time.
                after = sync(server, target);
            }

            assertThat(repair.exitCode()).as(change.getKey() + ": " + repair.err()).isEqualTo(ExitCodes.DONE);
            assertThat(repair.err()).as(change.getKey()).doesNotContain("unchanged since the last sync");
            assertThat(Trees.describe(target)).as(change.getKey()).isEqualTo(Trees.describe(source));
            assertThat(after.err()).as(change.getKey() + ", then nothing").contains("unchanged since the last sync");
        }
        assertThat(server.manifestCalls()).as("the kept manifest served every comparison").isEqualTo(1);
    }

    @FunctionalInterface
    private interface TargetChange {
        void applyTo(Path root) throws IOException;
    }

    @Test
    void aKeptManifestThatDoesNotHashToThePinnedDigestIsIgnoredAndTheOperatorAsked() throws Exception {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        assertThat(sync(server, target).exitCode()).isEqualTo(ExitCodes.DONE);
        Path kept = target.resolve(".kubecrawl/manifest");
        String honest = Files.readString(kept);
        // A kept manifest that would have the sync delete every file but one, and keep a file the bundle lacks.
        Files.writeString(target.resolve("planted.txt"), "not in the bundle\n");
        Files.writeString(kept, honest.lines().filter(line -> line.endsWith(" scrapy.cfg")).findFirst().orElseThrow()
                + "\n" + Files.readString(kept).lines().findFirst().orElseThrow().replaceAll(" [^ ]+$", " planted.txt")
                + "\n");
        server.resetCounters();

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.manifestCalls()).isEqualTo(1);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(kept).hasContent(honest.strip());
    }

    @Test
    void syncingVersionTwoOverVersionOneLeavesExactlyVersionTwo() throws IOException {
        Path v1 = tmp.resolve("v1");
        Trees.write(v1, "keep.py", "unchanged\n");
        Trees.write(v1, "change.py", "version 1\n");
        Trees.write(v1, "same-size.py", "AAAA\n");
        Trees.write(v1, "delete.py", "gone in v2\n");
        Trees.write(v1, "old/deeper/gone.txt", "a directory v2 does not have\n");
        Trees.write(v1, "tool.sh", "#!/bin/sh\n", 0644);
        Trees.write(v1, "secret.txt", "tighter in v2\n", 0644);
        Path v2 = tmp.resolve("v2");
        Trees.write(v2, "keep.py", "unchanged\n");
        Trees.write(v2, "change.py", "version 2, longer\n");
        Trees.write(v2, "same-size.py", "BBBB\n");
        Trees.write(v2, "added/new/module.py", "print('new')\n");
        Trees.write(v2, "tool.sh", "#!/bin/sh\n", 0755);
        Trees.write(v2, "secret.txt", "tighter in v2\n", 0600);
        DirectoryBundleServer server = serve(v1);
        Path target = tmp.resolve("workspace");
        assertThat(sync(server, target).exitCode()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(v1));
        Trees.write(target, "local-junk.txt", "left by someone else\n");
        Trees.write(target, ".stale.py.kubecrawl-part", "half a file from a dead sync\n");

        server.serveDirectory(v2);
        server.resetCounters();
        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(v2));
        assertThat(server.reads()).extracting(Read::path)
                .containsExactlyInAnyOrder("change.py", "same-size.py", "added/new/module.py");
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
    }

    @Test
    void eightWorkersSyncingAtOnceIntoEightDirectoriesEndWithIdenticalTrees() throws Exception {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/blob.bin"), 6 << 20, 8);
        DirectoryBundleServer server = serve(source);

        List<CliRun> runs = concurrently(8, worker -> sync(server, tmp.resolve("workspace-" + worker)));

        Map<String, String> expected = Trees.describe(source);
        for (int worker = 0; worker < 8; worker++) {
            assertThat(runs.get(worker).exitCode()).as(runs.get(worker).err()).isEqualTo(ExitCodes.DONE);
            assertThat(Trees.describe(tmp.resolve("workspace-" + worker))).isEqualTo(expected);
        }
    }

    @Test
    void eightWorkersSyncingAtOnceIntoTheSameDirectoryEndWithOneCorrectTree() throws Exception {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/blob.bin"), 6 << 20, 8);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");

        List<CliRun> runs = concurrently(8, worker -> sync(server, target));

        assertThat(runs).allSatisfy(run -> assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE));
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
        // One worker fetched the six non-empty files (an empty file needs no call); the others found them in place.
        assertThat(server.reads()).hasSize(6);
    }

    @Test
    void aServerStoppedInTheMiddleOfALargeFileAndStartedAgainIsResumedFromItsOffset() throws IOException {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 48 << 20, 1);
        DirectoryBundleServer server = serve(source);
        server.restartMidFile("data/large.bin", 16 << 20, Duration.ofMillis(300));
        Path target = tmp.resolve("workspace");

        // Backoff of 0.1 s doubling to 1 s: eight attempts span about 4.5 s, well beyond the downtime.
        CliRun run = sync(server, target, "--retry-delay-ms=100", "--retry-max-delay-ms=1000");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.restarts()).isEqualTo(1);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin")).extracting(Read::offset)
                .first().isEqualTo(0L);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin")).extracting(Read::offset)
                .anySatisfy(offset -> assertThat(offset).isPositive().isLessThanOrEqualTo(16L << 20));
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
    }

    @Test
    void aStreamCutMidFileIsResumedFromTheBytesAlreadyHeld() throws IOException {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 12 << 20, 2);
        DirectoryBundleServer server = serve(source);
        server.cutStream("data/large.bin", 5 << 20, 2);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin")).extracting(Read::offset)
                .containsExactly(0L, 5L << 20, 10L << 20);
        assertThat(Trees.sha256(target.resolve("data/large.bin"))).isEqualTo(Trees.sha256(source.resolve(
                "data/large.bin")));
        try (Stream<Path> data = Files.list(target.resolve("data"))) {
            assertThat(data.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("a", "large.bin");
        }
    }

    @Test
    void aPartFileLeftByAnEarlierSyncIsResumedFromItsLength() throws IOException {
        Path source = project("source");
        Path large = Trees.writeRandom(source.resolve("data/large.bin"), 8 << 20, 3);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        leavePartFile(target, large, 3 << 20);

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin"))
                .containsExactly(new Read("data/large.bin", 3 << 20));
        assertThat(server.bytesSent()).isLessThan(6L << 20);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
    }

    @Test
    void aLargeFileWrittenDirectlyResumesAPartFileFromItsLastWholeBlock() throws IOException {
        Path source = project("source");
        Path large = Trees.writeRandom(source.resolve("data/large.bin"), 40 << 20, 5);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        leavePartFile(target, large, (3 << 20) + 100); // cut off within a block

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        // Direct I/O writes whole blocks, so the resumed write starts at the block boundary below the part's length.
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin"))
                .containsExactly(new Read("data/large.bin", 3 << 20));
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
    }

    /** The part file of {@code data/large.bin} in the target, holding the first {@code bytes} of {@code large}. */
    private static void leavePartFile(Path target, Path large, int bytes) throws IOException {
        Path part = target.resolve("data/.large.bin.kubecrawl-part");
        Files.createDirectories(part.getParent());
        try (var in = Files.newInputStream(large)) {
            Files.write(part, in.readNBytes(bytes));
        }
    }

    @Test
    void aPartFileWhosePrefixIsWrongFailsTheCheckAndIsFetchedAgainFromZero() throws IOException {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 4 << 20, 4);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        Path part = target.resolve("data/.large.bin.kubecrawl-part");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[1 << 20]); // a megabyte of zeros: not the file's first megabyte

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin"))
                .containsExactly(new Read("data/large.bin", 1 << 20), new Read("data/large.bin", 0));
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
    }

    @Test
    void aChunkCorruptedOnceInTransitIsDetectedByItsHashAndFetchedAgain() throws IOException {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        server.corruptChunks("crawlab_project/spiders/quotes.py", 1);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("crawlab_project/spiders/quotes.py"))
                .containsExactly(new Read("crawlab_project/spiders/quotes.py", 0),
                        new Read("crawlab_project/spiders/quotes.py", 0));
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
    }

    @Test
    void aFileThatKeepsFailingItsCheckEndsTheSyncWithExit3AndLeavesNeitherItNorTheMarker() throws IOException {
        Path v1 = project("v1");
        DirectoryBundleServer server = serve(v1);
        Path target = tmp.resolve("workspace");
        assertThat(sync(server, target).exitCode()).isEqualTo(ExitCodes.DONE);
        assertThat(marker(target)).exists();
        Path v2 = project("v2");
        Trees.write(v2, "quotes/x.py", "print('never arrives intact')\n");
        server.serveDirectory(v2);
        server.corruptChunks("quotes/x.py", Integer.MAX_VALUE);

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(lastLine(run.err())).isEqualTo(PREFIX + "file quotes/x.py failed its sha256 check 8 times");
        assertThat(server.reads()).filteredOn(read -> "quotes/x.py".equals(read.path())).hasSize(8);
        assertThat(target.resolve("quotes/x.py")).doesNotExist();
        assertThat(target.resolve("quotes/.x.py.kubecrawl-part")).doesNotExist();
        assertThat(marker(target)).doesNotExist();
    }

    @Test
    void aLargeFileWrittenDirectlyWithAChunkCorruptedOnceIsFetchedAgainFromZero() throws IOException {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 40 << 20, 6);
        DirectoryBundleServer server = serve(source);
        server.corruptChunks("data/large.bin", 1);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin")).extracting(Read::offset)
                .as("a part file known to be wrong is not resumed").containsExactly(0L, 0L);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
    }

    @Test
    void aLargeFileWrittenDirectlyThatKeepsFailingItsCheckIsNeverLeftUnderItsName() throws IOException {
        Path source = project("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 36 << 20, 7);
        DirectoryBundleServer server = serve(source);
        server.corruptChunks("data/large.bin", Integer.MAX_VALUE);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target, "--max-attempts=3", "--retry-delay-ms=10", "--retry-max-delay-ms=20");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(lastLine(run.err())).isEqualTo(PREFIX + "file data/large.bin failed its sha256 check 3 times");
        assertThat(server.reads()).filteredOn(read -> read.path().equals("data/large.bin")).hasSize(3);
        assertThat(target.resolve("data/large.bin")).doesNotExist();
        assertThat(target.resolve("data/.large.bin.kubecrawl-part")).doesNotExist();
        assertThat(marker(target)).doesNotExist();
    }

    /** {@code count} files of 10 KiB, each different, in ten directories. */
    private Path smallFiles(String name, int count) throws IOException {
        Path source = tmp.resolve(name);
        for (int i = 0; i < count; i++) {
            Trees.writeRandom(source.resolve("pkg" + i % 10 + "/module" + i + ".py"), 10 << 10, i);
        }
        return source;
    }

    @Test
    void aFileCorruptedInsideAGroupIsDetectedFetchedAgainAloneAndTheOthersOnce() throws IOException {
        Path source = smallFiles("source", 100);
        DirectoryBundleServer server = serve(source);
        server.corruptChunks("pkg5/module55.py", 1);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(server.reads()).filteredOn(read -> read.path().equals("pkg5/module55.py"))
                .containsExactly(new Read("pkg5/module55.py", 0), new Read("pkg5/module55.py", 0));
        assertThat(server.reads()).hasSize(101);
        assertThat(server.readFileCalls()).as("only the corrupted file, fetched on its own").isEqualTo(1);
        assertThat(Files.readString(marker(target))).isEqualTo(server.digest() + "\n");
    }

    @Test
    void aGroupStreamCutInTheMiddleOfAFileEndsWithTheRightTreeFetchingOnlyWhatWasMissing() throws IOException {
        Path source = smallFiles("source", 40);
        // Chunks of 4 KiB, so that the cut falls inside a file, after some of its bytes were sent.
        DirectoryBundleServer server = DirectoryBundleServer.serve(source, DirectoryBundleServer.JOB,
                DirectoryBundleServer.TOKEN, 0, 4 << 10);
        servers.add(server);
        server.cutStream("pkg5/module25.py", 4 << 10, 1);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(server.reads()).filteredOn(read -> read.path().equals("pkg5/module25.py")).hasSize(2);
        assertThat(server.reads()).as("every other file once: what the group had verified was kept").hasSize(41);
        assertThat(server.readFileCalls()).as("the cut file and the rest of its group, on their own")
                .isBetween(1, 10);
    }

    @Test
    void anOperatorWithoutReadFilesServesEveryFileThroughReadFile() throws IOException {
        Path source = smallFiles("source", 100);
        Trees.write(source, "empty/__init__.py", "");
        DirectoryBundleServer server = serve(source);
        server.withoutReadFiles();
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target, "--parallelism=4");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(server.readFileCalls()).as("one per non-empty file").isEqualTo(100);
        assertThat(server.readFilesCalls()).as("asked until the first UNIMPLEMENTED came back, at most once a thread")
                .isBetween(1, 4);
        assertThat(server.reads()).hasSize(100).extracting(Read::path).doesNotHaveDuplicates();
    }

    @Test
    void aPartFileLeftBesideASmallFileIsReplacedByTheGroupsContent() throws IOException {
        Path source = smallFiles("source", 8);
        DirectoryBundleServer server = serve(source);
        Path target = tmp.resolve("workspace");
        Path part = target.resolve("pkg3/.module3.py.kubecrawl-part");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[20 << 10]); // longer than the file, and not its content

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(server.readFileCalls()).isZero();
        assertThat(server.reads()).hasSize(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/etc/passwd", "a/../../b", "crawlab_project/../../escape.py"})
    void aManifestWithAPathReachingOutsideIsRejectedBeforeAnythingIsWritten(String badPath) throws IOException {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Manifest good = server.manifest();
        Manifest bad = withExtraFile(good, badPath, "evil\n");
        server.serveManifest(bad);
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Path target = Files.createDirectories(parent.resolve("workspace"));
        Map<String, String> environment = environment(server);
        environment.put("KUBECRAWL_BUNDLE_DIGEST", bad.getDigest());

        CliRun run = sync(environment, target);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).hasLineCount(1)
                .startsWith(PREFIX + "the bundle manifest is refused: path '" + badPath + "' is refused: ");
        assertThat(Trees.list(parent)).containsExactly("workspace");
        assertThat(server.readFileCalls() + server.readFilesCalls()).isZero();
    }

    /** The manifest with one more file, its digest recomputed from the canonical form, as a hostile server would. */
    private static Manifest withExtraFile(Manifest manifest, String path, String content) {
        String sha256 = Sha256.hex(content.getBytes(StandardCharsets.UTF_8));
        List<FileEntry> files = new ArrayList<>(manifest.getFilesList());
        files.add(FileEntry.newBuilder().setPath(path).setMode(0644).setSize(content.length()).setSha256(sha256)
                .build());
        files.sort(java.util.Comparator.comparing(FileEntry::getPath));
        StringBuilder canonical = new StringBuilder();
        for (FileEntry file : files) {
            canonical.append(file.getSha256()).append(' ').append(String.format("%04o", file.getMode())).append(' ')
                    .append(file.getSize()).append(' ').append(file.getPath()).append('\n');
        }
        String digest = "sha256:" + Sha256.hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
        return Manifest.newBuilder().setDigest(digest).addAllFiles(files).build();
    }

    @Test
    void aManifestThatIsNotThePinnedBundleIsRefused() throws IOException {
        Path v1 = project("v1");
        DirectoryBundleServer server = serve(v1);
        String pinned = server.digest();
        Path v2 = project("v2");
        Trees.write(v2, "extra.py", "\n");
        server.serveDirectory(v2);
        server.serveManifest(server.manifest());
        Path target = tmp.resolve("workspace");
        Map<String, String> environment = environment(server);
        environment.put("KUBECRAWL_BUNDLE_DIGEST", pinned);

        CliRun run = sync(environment, target);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).isEqualTo(PREFIX + "the bundle manifest is refused: it is bundle " + server.digest()
                + ", not the pinned " + pinned + "%n".formatted());
        assertThat(target).doesNotExist();
    }

    @Test
    void aManifestWhoseFilesDoNotHashToItsDigestIsRefused() throws IOException {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Manifest real = server.manifest();
        Manifest tampered = real.toBuilder().setFiles(0, real.getFiles(0).toBuilder().setMode(04755)).build();
        server.serveManifest(tampered);
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).hasLineCount(1).contains("the bundle manifest is refused: manifest claims digest "
                + real.getDigest() + " but its files give sha256:");
        assertThat(target).doesNotExist();
    }

    @Test
    void symbolicLinksInTheTargetAreReplacedOrDeletedNeverFollowed() throws IOException {
        Path source = tmp.resolve("source");
        Trees.write(source, "link-dir/payload.py", "belongs inside the target\n");
        Trees.write(source, "file-link.py", "a real file now\n");
        DirectoryBundleServer server = serve(source);
        Path outside = tmp.resolve("outside");
        Trees.write(outside, "secret.txt", "must stay as it is\n");
        Map<String, String> outsideBefore = Trees.describe(outside);
        Path target = Files.createDirectories(tmp.resolve("workspace"));
        Files.createSymbolicLink(target.resolve("link-dir"), outside);
        Files.createSymbolicLink(target.resolve("file-link.py"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(target.resolve("root-link"), Path.of("/"));
        Files.createSymbolicLink(target.resolve("link-dir-part"), outside);
        Files.createSymbolicLink(target.resolve(".file-link.py.kubecrawl-part"), outside.resolve("secret.txt"));

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.describe(outside)).isEqualTo(outsideBefore);
        assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
        assertThat(Files.isDirectory(target.resolve("link-dir"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.isRegularFile(target.resolve("file-link.py"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    @Test
    void aTargetStateDirectoryThatIsALinkIsReplacedNotFollowed() throws IOException {
        Path source = project("source");
        DirectoryBundleServer server = serve(source);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path target = Files.createDirectories(tmp.resolve("workspace"));
        Files.createSymbolicLink(target.resolve(".kubecrawl"), outside);

        CliRun run = sync(server, target);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.DONE);
        assertThat(Trees.list(outside)).isEmpty();
        assertThat(Files.isDirectory(target.resolve(".kubecrawl"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(marker(target)).exists();
    }

    @Test
    void aWrongTokenEndsTheSyncAtOnceNamingTheStatusWithoutRetrying() throws IOException {
        DirectoryBundleServer server = serve(project("source"));
        Map<String, String> environment = environment(server);
        environment.put("KUBECRAWL_TOKEN", "not-the-job-token");
        Path target = tmp.resolve("workspace");
        long startedAt = System.nanoTime();

        CliRun run = CliRun.execute(environment, "sync", "--target=" + target);

        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).hasLineCount(1).startsWith(PREFIX + "the operator refused the manifest of bundle "
                + server.digest() + ": PERMISSION_DENIED: ");
        assertThat(run.err()).doesNotContain("not-the-job-token");
        assertThat(server.manifestCalls()).as("no retries").isEqualTo(1);
        assertThat(target).doesNotExist();
    }

    @Test
    void anUnreachableOperatorIsRetriedThenReportedAsCannotComplete() throws IOException {
        DirectoryBundleServer server = serve(project("source"));
        server.stop();
        Path target = tmp.resolve("workspace");

        CliRun run = sync(server, target, "--max-attempts=3");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(run.err()).hasLineCount(1).startsWith(PREFIX + "cannot fetch the manifest of bundle "
                + server.digest() + " in 3 attempts: UNAVAILABLE");
    }

    private SyncResult syncThroughTheApi(DirectoryBundleServer server, Path target)
            throws SyncFailedException, InterruptedException {
        Connection connection = new Connection(OperatorAddress.parse(server.address()), "crawls", "quotes-1",
                "worker-0", TokenSource.configured(null, Map.of(WorkerEnvironment.TOKEN,
                        DirectoryBundleServer.TOKEN)).orElseThrow(), OperatorTrust.plaintext());
        SyncSettings settings = SyncSettings.defaults(new BundleDigest(server.digest()), target, 4, 8);
        try (BundleClient client = BundleClient.connect(connection, settings)) {
            return new BundleSyncer(client, settings, new PrintWriter(new StringWriter()), PREFIX).sync();
        }
    }

    private static <T> List<T> concurrently(int count, java.util.function.IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit((Callable<T>) () -> task.apply(index)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
