package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.kubecrawl.worker.BundleDigest;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.TokenSource;

/**
 * The operator's BundleService as a sync uses it: one channel (HTTP/2 multiplexes the parallel downloads over one
 * connection), the worker credentials on every call, a deadline on GetManifest and an idle timeout on file streams.
 */
public final class BundleClient implements AutoCloseable {
    /** A manifest of a bundle with a hundred thousand files fits; a file chunk is at most 1 MiB. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;
    /** HTTP/2 window per stream: what the server may send ahead of the client's reading. */
    static final int FLOW_CONTROL_WINDOW_BYTES = 4 << 20;

    private final ManagedChannel channel;
    private final BundleServiceGrpc.BundleServiceBlockingStub blocking;
    private final BundleServiceGrpc.BundleServiceStub async;
    private final BundleDigest bundle;
    private final Duration callTimeout;
    private final Duration idleTimeout;

    private BundleClient(ManagedChannel channel, BundleDigest bundle, Duration callTimeout, Duration idleTimeout) {
        this.channel = channel;
        this.blocking = BundleServiceGrpc.newBlockingStub(channel);
        this.async = BundleServiceGrpc.newStub(channel);
        this.bundle = bundle;
        this.callTimeout = callTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * A client of the operator at {@code connection.operator()}, speaking for its job. Connects lazily, on the first
     * call. The connection is plaintext HTTP/2 inside the cluster network.
     */
    public static BundleClient connect(Connection connection, SyncSettings settings) {
        CrawlJobName job = new CrawlJobName(connection.namespace(), connection.job());
        OperatorAddress operator = connection.operator();
        ManagedChannel channel = NettyChannelBuilder.forTarget(operator.toString())
                .usePlaintext()
                // Callbacks only queue chunks (ChunkStream) or complete a blocking call: cheap enough for the event loop.
                .directExecutor()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                .userAgent("kubecrawl-worker")
                // The sync retries with its own policy (it resumes a file from the bytes it holds); gRPC's transparent
                // retry layer would only add per-call work.
                .disableRetry()
                .intercept(new CredentialsInterceptor(job, connection.token()))
                .build();
        return new BundleClient(channel, settings.bundle(), settings.callTimeout(), settings.idleTimeout());
    }

    /** GetManifest for the pinned bundle. @throws io.grpc.StatusRuntimeException when the call fails */
    public Manifest getManifest() {
        return blocking.withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .getManifest(GetManifestRequest.newBuilder().setBundleDigest(bundle.value()).build());
    }

    /** Starts ReadFile of the file with this sha256 from {@code offset}; the caller closes the stream. */
    ChunkStream readFile(String sha256, long offset) {
        ChunkStream stream = new ChunkStream(idleTimeout);
        async.readFile(ReadFileRequest.newBuilder().setBundleDigest(bundle.value()).setSha256(sha256)
                .setOffset(offset).build(), stream);
        return stream;
    }

    /** After a failure, try to connect again at once rather than after the channel's own backoff. */
    void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Adds the {@link WorkerCredentials} headers to every call, with the token read from its source again at most once
     * a second, so that a rotated Secret takes effect without reading the file on each of ten thousand calls. An
     * interceptor rather than call credentials: the same headers, less work per call.
     */
    private static final class CredentialsInterceptor implements ClientInterceptor {
        private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(1);
        private final CrawlJobName job;
        private final TokenSource source;
        private Metadata headers;
        private long readAt;

        CredentialsInterceptor(CrawlJobName job, TokenSource source) {
            this.job = job;
            this.source = source;
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
