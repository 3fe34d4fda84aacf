package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.FilesChunk;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batched streamer against a call whose readiness the test controls, as a slow client would. */
class FilesChunkStreamerTest {

    @TempDir
    Path dir;

    BundleFile big;
    BundleFile small;
    final List<FileChannel> opened = new ArrayList<>();
    final SlowCall<FilesChunk> call = new SlowCall<>();

    @BeforeEach
    void setUp() throws IOException {
        big = file("big", FileChunkStreamer.CHUNK_SIZE + 10);
        small = file("small", 100);
    }

    private BundleFile file(String name, int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Files.write(dir.resolve(Sha256.hex(content)), content);
        return new BundleFile(name, 0644, size, Sha256.hex(content));
    }

    private FileChannel open(BundleFile file) {
        try {
            FileChannel channel = FileChannel.open(dir.resolve(file.sha256()), StandardOpenOption.READ);
            opened.add(channel);
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sendsOnlyWhileReadyAndOpensEachFileWhenItsTurnComesClosingTheOneBefore() {
        FilesChunkStreamer.start(List.of(big, small), this::open, call);

        call.onReady.run();
        assertThat(call.chunks).as("not ready: nothing read").isEmpty();
        assertThat(opened).as("nothing opened before it is sent").isEmpty();

        call.credits = 1;
        call.onReady.run();
        assertThat(call.chunks).extracting(FilesChunk::getIndex, FilesChunk::getOffset, FilesChunk::getLast)
                .containsExactly(Tuple.tuple(0, 0L, false));
        assertThat(opened).hasSize(1);

        call.credits = 1;
        call.onReady.run();
        assertThat(opened).hasSize(1);
        assertThat(opened.get(0).isOpen()).as("the first file is closed once sent").isFalse();
        assertThat(call.completed).isFalse();

        call.credits = 1;
        call.onReady.run();
        assertThat(call.chunks).extracting(FilesChunk::getIndex).containsExactly(0, 0, 1);
        assertThat(call.chunks).extracting(FilesChunk::getLast).containsExactly(false, true, true);
        assertThat(call.chunks.get(1).getOffset()).isEqualTo(FileChunkStreamer.CHUNK_SIZE);
        assertThat(call.completed).isTrue();
        assertThat(opened).hasSize(2).noneMatch(FileChannel::isOpen);
    }

    @Test
    void cancellingClosesTheOpenFileAndStopsSending() {
        FilesChunkStreamer.start(List.of(big, small), this::open, call);
        call.credits = 1;
        call.onReady.run();

        call.onCancel.run();
        call.credits = Integer.MAX_VALUE;
        call.onReady.run();

        assertThat(call.chunks).hasSize(1);
        assertThat(call.completed).isFalse();
        assertThat(opened).hasSize(1).noneMatch(FileChannel::isOpen);
    }
}
