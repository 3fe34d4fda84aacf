package io.kubecrawl.worker.sync;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * The chunks of one ReadFile or ReadFiles call ({@code Q} the request, {@code C} the chunk type), pulled by the thread that writes them: flow control is manual, so the server
 * sends only as far ahead as {@value #PREFETCH} chunks beyond what has been taken (plus the transport's window), and
 * memory does not grow with the file. A stream that delivers nothing for the idle timeout is cancelled and counts as
 * broken.
 */
final class ChunkStream<Q, C> implements ClientResponseObserver<Q, C>, AutoCloseable {
    /** Chunks requested ahead of the writer: enough to keep the network busy while a chunk is written and hashed. */
    static final int PREFETCH = 2;
    private static final Object END = new Object();

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Duration idleTimeout;
    private volatile ClientCallStreamObserver<Q> call;
    private boolean finished;

    ChunkStream(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
        this.call = requestStream;
        requestStream.disableAutoRequestWithInitial(PREFETCH);
    }

    @Override
    public void onNext(C chunk) {
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
    @SuppressWarnings("unchecked")
    C next() throws InterruptedException, TransientFailure.BrokenStream {
        Object event = events.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            close();
            throw new TransientFailure.BrokenStream("no data for " + idleTimeout.toSeconds() + " s");
        }
        if (event == END) {
            finished = true;
            return null;
        }
        if (event instanceof Throwable failure) {
            finished = true;
            throw Status.fromThrowable(failure).asRuntimeException();
        }
        call.request(1);
        return (C) event;
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
