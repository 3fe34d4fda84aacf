package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.grpc.stub.ServerCallStreamObserver;
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
    SlowCall call = new SlowCall();

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
        assertThat(call.received()).isEqualTo(content);
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
        assertThat(call.received()).isEqualTo(Arrays.copyOfRange(content, offset, SIZE));
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

    /** A call that is ready for {@code credits} more messages, then not until the test grants more. */
    static final class SlowCall extends ServerCallStreamObserver<FileChunk> {
        final List<FileChunk> chunks = new ArrayList<>();
        int credits;
        boolean completed;
        Runnable onReady;
        Runnable onCancel;

        byte[] received() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            chunks.forEach(chunk -> all.writeBytes(chunk.getData().toByteArray()));
            return all.toByteArray();
        }

        @Override
        public boolean isReady() {
            return credits > 0;
        }

        @Override
        public void onNext(FileChunk chunk) {
            assertThat(credits).as("onNext only while ready").isPositive();
            credits--;
            chunks.add(chunk);
        }

        @Override
        public void onError(Throwable t) {
            throw new AssertionError("unexpected error", t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }
    }
}
