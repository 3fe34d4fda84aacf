package io.kubecrawl.worker.run;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.CompleteBatchPart;

/**
 * The client side of one CompleteBatch stream: lets the sender wait until the transport can take another chunk, so
 * that gRPC never buffers more than a chunk or two of the items file, and holds the operator's reply.
 */
final class ItemsUpload implements ClientResponseObserver<CompleteBatchPart, BatchReport> {
    private final CompletableFuture<BatchReport> report = new CompletableFuture<>();
    private final Object readiness = new Object();
    private ClientCallStreamObserver<CompleteBatchPart> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<CompleteBatchPart> requestStream) {
        this.call = requestStream;
        requestStream.setOnReadyHandler(this::wakeSender);
    }

    /** Blocks until the stream can take another message. @throws io.grpc.StatusRuntimeException if the call ended */
    void awaitReady() throws InterruptedException {
        synchronized (readiness) {
            while (!call.isReady()) {
                failIfEnded();
                // The ready handler wakes us; the timeout only bounds a missed wake-up.
                readiness.wait(100);
            }
        }
        failIfEnded();
    }

    /** Cancels the stream: the operator discards what it received. */
    void cancel(String why, Throwable cause) {
        call.cancel(why, cause);
    }

    /** The operator's reply once the stream is half-closed. @throws io.grpc.StatusRuntimeException if it failed */
    BatchReport report() throws InterruptedException {
        try {
            return report.get();
        } catch (ExecutionException failed) {
            throw Status.fromThrowable(failed.getCause()).asRuntimeException();
        }
    }

    private void failIfEnded() {
        if (report.isCompletedExceptionally()) {
            try {
                report.join();
            } catch (CompletionException failed) {
                throw Status.fromThrowable(failed.getCause()).asRuntimeException();
            }
        }
    }

    private void wakeSender() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    @Override
    public void onNext(BatchReport value) {
        report.complete(value);
    }

    @Override
    public void onError(Throwable failure) {
        report.completeExceptionally(failure);
        wakeSender();
    }

    @Override
    public void onCompleted() {
        report.completeExceptionally(Status.INTERNAL.withDescription("CompleteBatch ended without a report")
                .asRuntimeException());
    }
}
