package io.kubecrawl.operator.grpc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.kubecrawl.protocol.v1.FileChunk;
import org.jboss.logging.Logger;

/**
 * Sends a range of a file as {@link FileChunk}s, only as fast as the client takes them ({@link FlowControlledStream}):
 * however large the file, the server holds about one chunk of it in memory.
 */
final class FileChunkStreamer extends FlowControlledStream<FileChunk> {

    /** The largest chunk: big enough for throughput, well below gRPC's default 4 MiB message limit. */
    static final int CHUNK_SIZE = 1 << 20;

    private static final Logger LOG = Logger.getLogger(FileChunkStreamer.class);

    private final FileChannel file;
    private final long end;
    private long position;

    private FileChunkStreamer(FileChannel file, long offset, long end, ServerCallStreamObserver<FileChunk> observer) {
        super(observer);
        this.file = file;
        this.position = offset;
        this.end = end;
    }

    /**
     * Streams bytes {@code offset} to {@code end} of {@code file} to {@code observer}, then completes the call and
     * closes the file (also when the client cancels). Must be called before the service method returns.
     */
    static void start(FileChannel file, long offset, long end, ServerCallStreamObserver<FileChunk> observer) {
        new FileChunkStreamer(file, offset, end, observer).start();
    }

    @Override
    boolean hasNext() {
        return position < end;
    }

    @Override
    FileChunk next() throws IOException {
        int length = (int) Math.min(CHUNK_SIZE, end - position);
        FileChunk chunk = FileChunk.newBuilder().setOffset(position).setData(readChunk(file, position, length, end))
                .build();
        position += length;
        return chunk;
    }

    @Override
    void release() {
        closeQuietly(file);
    }

    @Override
    StatusException readFailed(IOException failure) {
        LOG.errorf(failure, "Cannot read a stored bundle file at offset %d", position);
        return Status.INTERNAL.withDescription("the operator cannot read the file").asException();
    }

    /**
     * Reads {@code length} bytes of {@code file} from {@code position}, all of them: a stored file shorter than its
     * manifest says is an error. The buffer is never touched again, so protobuf keeps it instead of copying it.
     *
     * @param end where the file should end, for the error message
     * @throws EOFException when the file ends before {@code position + length}
     */
    static ByteString readChunk(FileChannel file, long position, int length, long end) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(length);
        while (chunk.hasRemaining()) {
            if (file.read(chunk, position + chunk.position()) < 0) {
                throw new EOFException("the stored file ends at " + (position + chunk.position()) + ", before "
                        + end);
            }
        }
        chunk.flip();
        return UnsafeByteOperations.unsafeWrap(chunk);
    }

    /** Closes a bundle file; a failure to close a file only read from is logged and otherwise ignored. */
    static void closeQuietly(FileChannel file) {
        try {
            file.close();
        } catch (IOException e) {
            LOG.debugf("Closing a bundle file failed: %s", e.getMessage());
        }
    }
}
