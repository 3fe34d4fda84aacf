package io.kubecrawl.operator.grpc;

import java.io.IOException;

import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * A server stream that sends its messages only as fast as the client takes them. The next message is read (from disk)
 * only while the call {@linkplain ServerCallStreamObserver#isReady() is ready}; when it is not, {@link #run()} returns
 * and gRPC calls it again once the client has caught up. So a slow client never makes the server hold more than about
 * one message in memory. The stream completes the call when nothing is left, and releases what it holds open then, on
 * an error, or when the client cancels.
 *
 * @param <T> the message type
 */
abstract class FlowControlledStream<T> implements Runnable {

    private final ServerCallStreamObserver<T> observer;
    private boolean finished;

    FlowControlledStream(ServerCallStreamObserver<T> observer) {
        this.observer = observer;
    }

    /**
     * Starts sending. Must be called before the service method returns: gRPC runs the ready handler once the call is
     * ready, also if it was ready before the handler was set.
     */
    final void start() {
        observer.setOnCancelHandler(this::cancel);
        observer.setOnReadyHandler(this);
    }

    /** Whether a message is left to send. */
    abstract boolean hasNext();

    /** Reads the next message. */
    abstract T next() throws IOException, StatusException;

    /** Releases what the stream holds open; called once, when it ends for any reason. */
    abstract void release();

    /** Logs a failed read and says what the client is told. */
    abstract StatusException readFailed(IOException failure);

    /** Sends while the call is ready. gRPC never runs it concurrently with itself; the lock covers cancel. */
    @Override
    public final synchronized void run() {
        if (finished) {
            return;
        }
        try {
            while (hasNext() && observer.isReady()) {
                observer.onNext(next());
            }
            if (!hasNext()) {
                finish();
                observer.onCompleted();
            }
        } catch (StatusException refused) {
            finish();
            observer.onError(refused);
        } catch (IOException failure) {
            StatusException status = readFailed(failure);
            finish();
            observer.onError(status);
        }
    }

    private synchronized void cancel() {
        finish();
    }

    private void finish() {
        finished = true;
        release();
    }
}
