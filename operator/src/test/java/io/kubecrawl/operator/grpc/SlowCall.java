package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * A server call that is ready for {@code credits} more messages, then not until the test grants more: the streamers'
 * flow control, driven by hand.
 */
final class SlowCall<T> extends ServerCallStreamObserver<T> {
    final List<T> chunks = new ArrayList<>();
    int credits;
    boolean completed;
    Runnable onReady;
    Runnable onCancel;

    @Override
    public boolean isReady() {
        return credits > 0;
    }

    @Override
    public void onNext(T chunk) {
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
