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
 * Sends several whole files, one after the other, as {@link FilesChunk}s only as fast as the client takes them: the
 * flow control of {@link FileChunkStreamer}, over a list of files. A file is opened when its turn comes and closed
 * before the next one is, so a call holds one open file and about one chunk in memory, however many files it names.
 */
final class FilesChunkStreamer implements Runnable {

    /** Opens a bundle file for reading, or says with a status why it cannot. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(BundleFile file) throws StatusException;
    }

    private static final Logger LOG = Logger.getLogger(FilesChunkStreamer.class);

    private final List<BundleFile> files;
    private final Opener opener;
    private final ServerCallStreamObserver<FilesChunk> observer;
    /** The file being sent: an index into {@link #files}. */
    private int index;
    /** The open file at {@link #index}, or null before it is opened. */
    private FileChannel file;
    private long position;
    private boolean finished;

    private FilesChunkStreamer(List<BundleFile> files, Opener opener, ServerCallStreamObserver<FilesChunk> observer) {
        this.files = files;
        this.opener = opener;
        this.observer = observer;
    }

    /**
     * Streams {@code files}, whole and in order, to {@code observer}, then completes the call. Must be called before
     * the service method returns (see {@link FileChunkStreamer#start}).
     */
    static void start(List<BundleFile> files, Opener opener, ServerCallStreamObserver<FilesChunk> observer) {
        FilesChunkStreamer streamer = new FilesChunkStreamer(files, opener, observer);
        observer.setOnCancelHandler(streamer::cancel);
        observer.setOnReadyHandler(streamer);
    }

    /** Sends chunks while the call is ready. gRPC never runs it concurrently with itself; the lock covers cancel. */
    @Override
    public synchronized void run() {
        if (finished) {
            return;
        }
        try {
            while (index < files.size() && observer.isReady()) {
                BundleFile current = files.get(index);
                if (file == null) {
                    file = opener.open(current);
                    position = 0;
                }
                int length = (int) Math.min(FileChunkStreamer.CHUNK_SIZE, current.size() - position);
                ByteString data = length == 0 ? ByteString.EMPTY
                        : FileChunkStreamer.readChunk(file, position, length, current.size());
                boolean last = position + length >= current.size();
                observer.onNext(FilesChunk.newBuilder().setIndex(index).setOffset(position).setData(data)
                        .setLast(last).build());
                position += length;
                if (last) {
                    closeFile();
                    index++;
                }
            }
            if (index >= files.size()) {
                finish();
                observer.onCompleted();
            }
        } catch (StatusException refused) {
            finish();
            observer.onError(refused);
        } catch (IOException e) {
            LOG.errorf(e, "Cannot read stored bundle file %s at offset %d", files.get(index).sha256(), position);
            finish();
            observer.onError(Status.INTERNAL.withDescription("the operator cannot read file '"
                    + files.get(index).path() + "'").asException());
        }
    }

    private synchronized void cancel() {
        finish();
    }

    private void finish() {
        finished = true;
        closeFile();
    }

    private void closeFile() {
        if (file == null) {
            return;
        }
        FileChunkStreamer.closeQuietly(file);
        file = null;
    }
}
