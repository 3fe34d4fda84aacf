package io.kubecrawl.worker.run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * The client side of one client-streaming call (many messages up, one reply down) that sends a message only when the
 * transport is ready for it, so that gRPC never buffers more than a message or two however slow the operator is: the
 * sender blocks instead, and whatever feeds it (a file, a bounded queue) holds the rest. CompleteBatch and UploadLogs
 * both stream this way.
 *
 * <p>Every failure is a {@link StatusRuntimeException}: the call's own, or {@code endedWithoutReply} when the operator
 * closed the stream without a reply.
 *
 * @param <ReqT> the messages sent
 * @param <RespT> the one reply
 */
final class ReadyGatedStream<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {
    private final CompletableFuture<RespT> reply = new CompletableFuture<>();
    private final Object readiness = new Object();
    private final Status endedWithoutReply;
    private ClientCallStreamObserver<ReqT> call;

    ReadyGatedStream(Status endedWithoutReply) {
        this.endedWithoutReply = endedWithoutReply;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
        this.call = requestStream;
        requestStream.setOnReadyHandler(this::wakeSender);
    }

    /**
     * Sends once the stream can take the message.
     *
     * @return false if the operator has replied already, so that the message was not sent: whether that is an answer
     *     (a batch already done) or a broken stream (a log stream the operator closed) is the caller's to say
     * @throws StatusRuntimeException if the call failed
     */
    boolean send(ReqT message) throws InterruptedException {
        synchronized (readiness) {
            while (!call.isReady() && !reply.isDone()) {
                // The ready handler wakes us; the timeout only bounds a missed wake-up.
                readiness.wait(100);
            }
        }
        if (reply.isDone()) {
            failIfFailed();
            return false;
        }
        call.onNext(message);
        return true;
    }

    /** Half-closes the stream and waits for the reply. @throws StatusRuntimeException if the call failed */
    RespT finish() throws InterruptedException {
        call.onCompleted();
        try {
            return reply.get();
        } catch (ExecutionException failed) {
            throw Status.fromThrowable(failed.getCause()).asRuntimeException();
        }
    }

    /** As {@link #finish()}, waiting at most {@code timeout} for the reply. */
    RespT finish(Duration timeout) throws InterruptedException, TimeoutException {
        call.onCompleted();
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw Status.fromThrowable(failed.getCause()).asRuntimeException();
        }
    }

    /** Cancels the stream: the operator discards what it received. */
    void cancel(String why, Throwable cause) {
        call.cancel(why, cause);
    }

    private void failIfFailed() {
        try {
            reply.join();
        } catch (CompletionException failed) {
            throw Status.fromThrowable(failed.getCause()).asRuntimeException();
        }
    }

    private void wakeSender() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    @Override
    public void onNext(RespT value) {
        reply.complete(value);
        wakeSender();
    }

    @Override
    public void onError(Throwable failure) {
        reply.completeExceptionally(failure);
        wakeSender();
    }

    @Override
    public void onCompleted() {
        reply.completeExceptionally(endedWithoutReply.asRuntimeException());
        wakeSender();
    }
}
