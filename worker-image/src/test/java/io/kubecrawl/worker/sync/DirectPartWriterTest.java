package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import com.google.protobuf.ByteString;
import io.kubecrawl.protocol.bundle.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files in a temporary directory, which on Linux is a disk file system that takes direct I/O (ext4, xfs). */
class DirectPartWriterTest {
    @TempDir
    Path directory;

    @Test
    void contentOfAnyLengthArrivesWholeAndHashedWhateverTheChunks() throws IOException {
        byte[] content = randomBytes(2 * DirectPartWriter.BUFFER_BYTES + 12_345);
        Path part = Files.createFile(directory.resolve("part"));
        DirectPartWriter writer = openOrSkip(part, 0);
        MessageDigest digest = Sha256.newDigest();

        try (writer) {
            // Chunks that cross the writer's buffer boundaries at odd places.
            int offset = 0;
            for (int chunk : new int[] {1, 4095, 1 << 20, 3 * (1 << 20) + 7, DirectPartWriter.BUFFER_BYTES}) {
                writer.write(ByteString.copyFrom(content, offset, chunk), digest);
                offset += chunk;
            }
            writer.write(ByteString.copyFrom(content, offset, content.length - offset), digest);
            writer.finish().force(true);
        }

        assertThat(Files.size(part)).as("padding is truncated away").isEqualTo(content.length);
        assertThat(Files.readAllBytes(part)).isEqualTo(content);
        assertThat(Sha256.hex(digest)).isEqualTo(Sha256.hex(content));
    }

    @Test
    void aResumedWriteStartsAtABlockBoundaryAndKeepsThePrefix() throws IOException {
        byte[] content = randomBytes(DirectPartWriter.BUFFER_BYTES + 999);
        Path part = directory.resolve("part");
        Files.write(part, Arrays.copyOf(content, 10_000)); // what an attempt cut off left
        long start = DirectPartWriter.alignedStart(part, Files.size(part));
        assertThat(start).isLessThanOrEqualTo(10_000).isGreaterThan(0);
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
            channel.truncate(start);
        }
        DirectPartWriter writer = openOrSkip(part, start);
        MessageDigest digest = Sha256.newDigest();

        try (writer) {
            writer.write(ByteString.copyFrom(content, (int) start, content.length - (int) start), digest);
            writer.finish();
        }

        assertThat(Files.readAllBytes(part)).isEqualTo(content);
    }

    @Test
    void aPositionOffTheBlockBoundaryIsRefusedRatherThanWrittenWrongly() throws IOException {
        Path part = Files.createFile(directory.resolve("part"));
        Files.write(part, new byte[100]);

        assertThat(DirectPartWriter.open(part, 100)).isEmpty();
    }

    @Test
    void atMostFourFilesAreWrittenDirectlyAtOnceAndAFailedOpenOrAClosedWriterMakesRoomForTheNext() throws IOException {
        for (int i = 0; i <= DirectPartWriter.MAX_WRITERS; i++) {
            assertThat(DirectPartWriter.open(directory, 0)).as("a directory cannot be opened for writing").isEmpty();
        }
        List<DirectPartWriter> open = new ArrayList<>();
        try {
            for (int i = 0; i < DirectPartWriter.MAX_WRITERS; i++) {
                open.add(openOrSkip(Files.createFile(directory.resolve("part-" + i)), 0));
            }
            Path next = Files.createFile(directory.resolve("part-next"));

            assertThat(DirectPartWriter.open(next, 0)).as("one more than the limit: the page cache instead")
                    .isEmpty();
            open.remove(0).close();
            Optional<DirectPartWriter> reopened = DirectPartWriter.open(next, 0);
            assertThat(reopened).isPresent();
            open.add(reopened.get());
        } finally {
            for (DirectPartWriter writer : open) {
                writer.close();
            }
        }
    }

    @Test
    void aFileSystemWithoutDirectIoIsReportedAsEmptyForTheBufferedPath() throws IOException {
        // A zip file system stands in for one that refuses O_DIRECT: which of the platform's do depends on the kernel.
        try (FileSystem zip = FileSystems.newFileSystem(directory.resolve("bundle.zip"), Map.of("create", "true"))) {
            Path part = Files.createFile(zip.getPath("part"));

            assertThat(DirectPartWriter.alignedStart(part, 100)).as("no alignment where nothing is direct")
                    .isEqualTo(100);
            assertThat(DirectPartWriter.open(part, 0)).isEmpty();
        }
    }

    private static DirectPartWriter openOrSkip(Path part, long position) throws IOException {
        Optional<DirectPartWriter> writer = DirectPartWriter.open(part, position);
        assumeTrue(writer.isPresent(), "the temporary directory's file system (" + Files.getFileStore(part).type()
                + ") does not take direct I/O");
        return writer.get();
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return bytes;
    }
}
