package io.kubecrawl.worker.sync;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.ReadFileRequest;

/**
 * The chunks of one ReadFile call, pulled by the thread that writes them: flow control is manual, so the server
 * sends only as far ahead as {@value #PREFETCH} chunks beyond what has been taken (plus the transport's window), and
 * memory does not grow with the file. A stream that delivers nothing for the idle timeout is cancelled and counts as
 * broken.
 */
final class ChunkStream implements ClientResponseObserver<ReadFileRequest, FileChunk>, AutoCloseable {
    /** Chunks requested ahead of the writer: enough to keep the network busy while a chunk is written and hashed. */
    static final int PREFETCH = 2;
    private static final Object END = new Object();

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Duration idleTimeout;
    private volatile ClientCallStreamObserver<ReadFileRequest> call;
    private boolean finished;

    ChunkStream(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReadFileRequest> requestStream) {
        this.call = requestStream;
        requestStream.disableAutoRequestWithInitial(PREFETCH);
    }

    @Override
    public void onNext(FileChunk chunk) {
        events.add(chunk);
    }

    @Override
    public void onError(Throwable failure) {
        events.add(failure);
    }

    @Override
    public void onCompleted() {
        events.add(END);
    }

    /**
     * The next chunk, or null when the server has sent the last one.
     *
     * @throws StatusRuntimeException when the call failed
     * @throws TransientFailure.BrokenStream when nothing arrived for the idle timeout
     */
    FileChunk next() throws InterruptedException, TransientFailure.BrokenStream {
        Object event = events.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            close();
            throw new TransientFailure.BrokenStream("no data for " + idleTimeout.toSeconds() + " s");
        }
        if (event instanceof FileChunk chunk) {
            call.request(1);
            return chunk;
        }
        finished = true;
        if (event == END) {
            return null;
        }
        throw Status.fromThrowable((Throwable) event).asRuntimeException();
    }

    /** Cancels the call unless it has ended. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            call.cancel("the client stopped reading", null);
        }
    }
}
