package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.kubecrawl.protocol.v1.FileChunk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streamer against a call whose readiness the test controls, as a slow client would. */
class FileChunkStreamerTest {

    private static final int SIZE = 2 * FileChunkStreamer.CHUNK_SIZE + 1234;

    @TempDir
    Path dir;

    byte[] content;
    FileChannel file;
    SlowCall<FileChunk> call = new SlowCall<>();

    @BeforeEach
    void setUp() throws IOException {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Path path = Files.write(dir.resolve("blob"), content);
        file = FileChannel.open(path, StandardOpenOption.READ);
    }

    @Test
    void sendsNothingWhileTheClientIsNotReadyAndOneChunkPerReadySignal() {
        FileChunkStreamer.start(file, 0, SIZE, call);

        call.onReady.run();
        assertThat(call.chunks).as("not ready: nothing read, nothing buffered").isEmpty();

        call.credits = 1;
        call.onReady.run();
        assertThat(call.chunks).hasSize(1);
        assertThat(call.chunks.get(0).getData().size()).isEqualTo(FileChunkStreamer.CHUNK_SIZE);
        assertThat(call.completed).isFalse();

        call.credits = 1;
        call.onReady.run();
        call.credits = 1;
        call.onReady.run();

        assertThat(call.chunks).extracting(FileChunk::getOffset)
                .containsExactly(0L, (long) FileChunkStreamer.CHUNK_SIZE, 2L * FileChunkStreamer.CHUNK_SIZE);
        assertThat(received(call.chunks)).isEqualTo(content);
        assertThat(call.completed).isTrue();
        assertThat(file.isOpen()).isFalse();
    }

    @Test
    void startsAtTheOffset() {
        int offset = FileChunkStreamer.CHUNK_SIZE + 10;
        FileChunkStreamer.start(file, offset, SIZE, call);

        call.credits = Integer.MAX_VALUE;
        call.onReady.run();

        assertThat(call.chunks.get(0).getOffset()).isEqualTo(offset);
        assertThat(received(call.chunks)).isEqualTo(Arrays.copyOfRange(content, offset, SIZE));
        assertThat(call.completed).isTrue();
    }

    @Test
    void anOffsetAtTheEndCompletesWithoutChunks() {
        FileChunkStreamer.start(file, SIZE, SIZE, call);

        call.credits = Integer.MAX_VALUE;
        call.onReady.run();

        assertThat(call.chunks).isEmpty();
        assertThat(call.completed).isTrue();
    }

    @Test
    void cancellingClosesTheFileAndStopsSending() {
        FileChunkStreamer.start(file, 0, SIZE, call);
        call.credits = 1;
        call.onReady.run();

        call.onCancel.run();
        call.credits = Integer.MAX_VALUE;
        call.onReady.run();

        assertThat(call.chunks).hasSize(1);
        assertThat(call.completed).isFalse();
        assertThat(file.isOpen()).isFalse();
    }

    private static byte[] received(List<FileChunk> chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        chunks.forEach(chunk -> all.writeBytes(chunk.getData().toByteArray()));
        return all.toByteArray();
    }
}
