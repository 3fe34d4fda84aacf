package io.kubecrawl.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubecrawl.protocol.v1.FileEntry;

/**
 * The shaded jar as the pod runs it, in its own JVM: a 1 GiB file streamed to disk by a worker with a 64 MiB heap, and
 * eight worker processes syncing into one directory at once. Run by failsafe after 'package' ({@code ./mvnw verify}).
 */
class LargeFileSyncIT {
    @TempDir
    Path tmp;

    @Test
    void aGibibyteFileArrivesWithTheRightSha256WhileTheWorkerRunsInA64MegabyteHeap() throws Exception {
        Path source = tmp.resolve("source");
        Trees.writeRandom(source.resolve("data/large.bin"), 1L << 30, 42);
        Trees.write(source, "crawlab_project/spiders/quotes.py", "import scrapy\n");
        Path target = tmp.resolve("workspace");
        try (DirectoryBundleServer server = DirectoryBundleServer.serve(source)) {
            String expected = server.manifest().getFilesList().stream()
                    .filter(file -> file.getPath().equals("data/large.bin")).map(FileEntry::getSha256).findFirst()
                    .orElseThrow();

            WorkerProcess worker = WorkerProcess.sync(server, target, tmp.resolve("worker.log"), "64m");

            int exitCode = worker.waitFor(300);
            assertThat(exitCode).as(worker.stderr()).isEqualTo(ExitCodes.DONE);
            assertThat(Files.size(target.resolve("data/large.bin"))).isEqualTo(1L << 30);
            assertThat(Trees.sha256(target.resolve("data/large.bin"))).isEqualTo(expected);
            assertThat(Files.readString(target.resolve(".kubecrawl/complete"))).isEqualTo(server.digest() + "\n");
            assertThat(worker.stderr()).contains("kubecrawl-worker sync: bundle " + server.digest() + " in place")
                    .doesNotContain("OutOfMemoryError");
            assertThat(server.bytesSent()).isEqualTo((1L << 30) + "import scrapy\n".length());
        }
    }

    @Test
    void eightWorkerProcessesSyncingIntoTheSameDirectoryEndWithOneCorrectTree() throws Exception {
        Path source = tmp.resolve("source");
        Trees.writeRandom(source.resolve("data/blob.bin"), 32 << 20, 7);
        for (int i = 0; i < 200; i++) {
            Trees.write(source, "pkg" + i % 10 + "/module" + i + ".py", "VALUE = " + i + "\n");
        }
        Path target = tmp.resolve("workspace");
        try (DirectoryBundleServer server = DirectoryBundleServer.serve(source)) {
            List<WorkerProcess> workers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                workers.add(WorkerProcess.sync(server, target, tmp.resolve("worker-" + i + ".log"), "64m"));
            }

            for (WorkerProcess worker : workers) {
                assertThat(worker.waitFor(120)).as(worker.stderr()).isEqualTo(ExitCodes.DONE);
            }
            assertThat(Trees.describe(target)).isEqualTo(Trees.describe(source));
            assertThat(Files.readString(target.resolve(".kubecrawl/complete"))).isEqualTo(server.digest() + "\n");
            assertThat(server.reads()).as("each file fetched once; the other workers found it in place")
                    .hasSize(201);
            assertThat(server.readFileCalls()).as("the large file; the small ones came in groups").isEqualTo(1);
        }
    }
}
