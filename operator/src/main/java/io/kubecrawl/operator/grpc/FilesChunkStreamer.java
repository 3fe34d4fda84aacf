package io.kubecrawl.operator.grpc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.v1.FilesChunk;
import org.jboss.logging.Logger;

/**
 * Sends several whole files, one after the other, as {@link FilesChunk}s only as fast as the client takes them
 * ({@link FlowControlledStream}). A file is opened when its turn comes and closed before the next one is, so a call
 * holds one open file and about one chunk in memory, however many files it names.
 */
final class FilesChunkStreamer extends FlowControlledStream<FilesChunk> {

    /** Opens a bundle file for reading, or says with a status why it cannot. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(BundleFile file) throws StatusException;
    }

    private static final Logger LOG = Logger.getLogger(FilesChunkStreamer.class);

    private final List<BundleFile> files;
    private final Opener opener;
    /** The file being sent: an index into {@link #files}. */
    private int index;
    /** The open file at {@link #index}, or null before it is opened. */
    private FileChannel file;
    private long position;

    private FilesChunkStreamer(List<BundleFile> files, Opener opener, ServerCallStreamObserver<FilesChunk> observer) {
        super(observer);
        this.files = files;
        this.opener = opener;
    }

    /**
     * Streams {@code files}, whole and in order, to {@code observer}, then completes the call. Must be called before
     * the service method returns.
     */
    static void start(List<BundleFile> files, Opener opener, ServerCallStreamObserver<FilesChunk> observer) {
        new FilesChunkStreamer(files, opener, observer).start();
    }

    @Override
    boolean hasNext() {
        return index < files.size();
    }

    @Override
    FilesChunk next() throws IOException, StatusException {
        BundleFile current = files.get(index);
        if (file == null) {
            file = opener.open(current);
            position = 0;
        }
        int length = (int) Math.min(FileChunkStreamer.CHUNK_SIZE, current.size() - position);
        ByteString data = length == 0 ? ByteString.EMPTY
                : FileChunkStreamer.readChunk(file, position, length, current.size());
        boolean last = position + length >= current.size();
        FilesChunk chunk = FilesChunk.newBuilder().setIndex(index).setOffset(position).setData(data).setLast(last)
                .build();
        position += length;
        if (last) {
            release();
            index++;
        }
        return chunk;
    }

    @Override
    void release() {
        if (file != null) {
            FileChunkStreamer.closeQuietly(file);
            file = null;
        }
    }

    @Override
    StatusException readFailed(IOException failure) {
        LOG.errorf(failure, "Cannot read stored bundle file %s at offset %d", files.get(index).sha256(), position);
        return Status.INTERNAL.withDescription("the operator cannot read file '" + files.get(index).path() + "'")
                .asException();
    }
}
