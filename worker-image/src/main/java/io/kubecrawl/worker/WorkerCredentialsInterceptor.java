package io.kubecrawl.worker;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;

/**
 * Adds the {@link WorkerCredentials} headers to every call, with the token read from its source again at most once
 * a second, so that a rotated Secret takes effect without reading the file on each of ten thousand calls. An
 * interceptor rather than call credentials: the same headers, less work per call.
 */
public final class WorkerCredentialsInterceptor implements ClientInterceptor {
    private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final CrawlJobName job;
    private final TokenSource source;
    private Metadata headers;
    private long readAt;

    public WorkerCredentialsInterceptor(Connection connection) {
        this.job = new CrawlJobName(connection.namespace(), connection.job());
        this.source = connection.token();
    }

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options,
            Channel next) {
        Metadata credentials;
        try {
            credentials = headers();
        } catch (IOException | IllegalArgumentException unreadable) {
            Status status = Status.UNAUTHENTICATED.withDescription("cannot read the worker token from " + source
                    + ": " + unreadable.getMessage());
            return new FailingCall<>(status);
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<A> listener, Metadata callHeaders) {
                callHeaders.merge(credentials);
                super.start(listener, callHeaders);
            }
        };
    }

    private synchronized Metadata headers() throws IOException {
        long now = System.nanoTime();
        if (headers == null || now - readAt > REREAD_NANOS) {
            headers = new WorkerCredentials(job, source.read()).toMetadata();
            readAt = now;
        }
        return headers;
    }

    @Override
    public String toString() {
        return "worker credentials of " + job + " from " + source;
    }

    /** A call that fails at start without reaching the server. */
    private static final class FailingCall<Q, A> extends ClientCall<Q, A> {
        private final Status status;

        FailingCall(Status status) {
            this.status = status;
        }

        @Override
        public void start(Listener<A> listener, Metadata headers) {
            listener.onClose(status, new Metadata());
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void cancel(String message, Throwable cause) {
        }

        @Override
        public void halfClose() {
        }

        @Override
        public void sendMessage(Q message) {
        }
    }
}
