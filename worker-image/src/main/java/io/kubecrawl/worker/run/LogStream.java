package io.kubecrawl.worker.run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;

/**
 * One UploadLogs stream. A message is sent only when the transport is ready for it, so that gRPC does not buffer
 * without bound while the operator is slow: the {@link LogShipper}'s bounded queue absorbs that instead.
 */
final class LogStream implements ClientResponseObserver<LogLines, LogsReceipt> {

    /** The stream ended (the operator went away, restarted, or refused it): open another. */
    static final class BrokenException extends Exception {
        BrokenException(Throwable cause) {
            super(FrontierCallException.describe(Status.fromThrowable(cause)), cause);
        }
    }

    private final CompletableFuture<LogsReceipt> receipt = new CompletableFuture<>();
    private final Object readiness = new Object();
    private ClientCallStreamObserver<LogLines> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<LogLines> requestStream) {
        this.call = requestStream;
        requestStream.setOnReadyHandler(this::wakeSender);
    }

    /** Sends once the stream can take the message. */
    void send(LogLines message) throws BrokenException, InterruptedException {
        synchronized (readiness) {
            while (!call.isReady()) {
                failIfEnded();
                // The ready handler wakes us; the timeout only bounds a missed wake-up.
                readiness.wait(100);
            }
        }
        failIfEnded();
        call.onNext(message);
    }

    /** Half-closes the stream and waits for the operator's receipt. */
    LogsReceipt finish(Duration timeout) throws BrokenException, InterruptedException, TimeoutException {
        call.onCompleted();
        try {
            return receipt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw new BrokenException(failed.getCause());
        }
    }

    void cancel() {
        call.cancel("the worker closed its log stream", null);
    }

    private void failIfEnded() throws BrokenException {
        if (receipt.isDone()) {
            try {
                receipt.getNow(null);
            } catch (RuntimeException failed) {
                throw new BrokenException(failed.getCause() == null ? failed : failed.getCause());
            }
            throw new BrokenException(Status.UNAVAILABLE.withDescription("the operator ended the log stream")
                    .asRuntimeException());
        }
    }

    private void wakeSender() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    @Override
    public void onNext(LogsReceipt value) {
        receipt.complete(value);
    }

    @Override
    public void onError(Throwable failure) {
        receipt.completeExceptionally(failure);
        wakeSender();
    }

    @Override
    public void onCompleted() {
        receipt.completeExceptionally(Status.UNAVAILABLE.withDescription("the operator ended the log stream")
                .asRuntimeException());
        wakeSender();
    }
}
