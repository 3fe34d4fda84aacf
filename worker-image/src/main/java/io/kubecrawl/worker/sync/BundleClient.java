package io.kubecrawl.worker.sync;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.FilesChunk;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.kubecrawl.protocol.v1.ReadFilesRequest;
import io.kubecrawl.worker.BundleDigest;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorChannel;

/**
 * The operator's BundleService as a sync uses it: one channel (HTTP/2 multiplexes the parallel downloads over one
 * connection), the worker credentials on every call, a deadline on GetManifest and an idle timeout on file streams.
 */
public final class BundleClient implements AutoCloseable {
    /** A manifest of a bundle with a hundred thousand files fits; a file chunk is at most 1 MiB. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;
    /** HTTP/2 window per stream: what the server may send ahead of the client's reading. */
    static final int FLOW_CONTROL_WINDOW_BYTES = 4 << 20;

    private final Connection connection;
    private final BundleDigest bundle;
    private final Duration callTimeout;
    private final Duration idleTimeout;
    /** Built on the first call: a sync that finds its bundle in place never loads the network stack at all. */
    private OperatorChannel channel;
    private BundleServiceGrpc.BundleServiceBlockingStub blocking;
    private BundleServiceGrpc.BundleServiceStub async;
    private boolean closed;

    private BundleClient(Connection connection, BundleDigest bundle, Duration callTimeout, Duration idleTimeout) {
        this.connection = connection;
        this.bundle = bundle;
        this.callTimeout = callTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * A client of the operator at {@code connection.operator()}, speaking for its job. Connects lazily, on the first
     * call. The connection is plaintext HTTP/2 inside the cluster network.
     */
    public static BundleClient connect(Connection connection, SyncSettings settings) {
        return new BundleClient(connection, settings.bundle(), settings.callTimeout(), settings.idleTimeout());
    }

    private synchronized OperatorChannel channel() {
        if (closed) {
            throw Status.CANCELLED.withDescription("the bundle client is closed").asRuntimeException();
        }
        if (channel == null) {
            channel = OperatorChannel.open(connection, builder -> builder
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                    .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                    // The sync retries with its own policy (it resumes a file from the bytes it holds); gRPC's
                    // transparent retry layer would only add per-call work.
                    .disableRetry());
            blocking = BundleServiceGrpc.newBlockingStub(channel.channel());
            async = BundleServiceGrpc.newStub(channel.channel());
        }
        return channel;
    }

    private synchronized BundleServiceGrpc.BundleServiceBlockingStub blocking() {
        channel();
        return blocking;
    }

    private synchronized BundleServiceGrpc.BundleServiceStub async() {
        channel();
        return async;
    }

    /** GetManifest for the pinned bundle. @throws io.grpc.StatusRuntimeException when the call fails */
    public Manifest getManifest() {
        return blocking().withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .getManifest(GetManifestRequest.newBuilder().setBundleDigest(bundle.value()).build());
    }

    /** Starts ReadFile of the file with this sha256 from {@code offset}; the caller closes the stream. */
    ChunkStream<ReadFileRequest, FileChunk> readFile(String sha256, long offset) {
        ChunkStream<ReadFileRequest, FileChunk> stream = new ChunkStream<>(idleTimeout);
        async().readFile(ReadFileRequest.newBuilder().setBundleDigest(bundle.value()).setSha256(sha256)
                .setOffset(offset).build(), stream);
        return stream;
    }

    /** Starts ReadFiles of the whole files with these sha256s, in this order; the caller closes the stream. */
    ChunkStream<ReadFilesRequest, FilesChunk> readFiles(List<String> sha256s) {
        ChunkStream<ReadFilesRequest, FilesChunk> stream = new ChunkStream<>(idleTimeout);
        async().readFiles(ReadFilesRequest.newBuilder().setBundleDigest(bundle.value()).addAllSha256(sha256s)
                .build(), stream);
        return stream;
    }

    /** After a failure, try to connect again at once rather than after the channel's own backoff. */
    synchronized void resetConnectBackoff() {
        if (channel != null) {
            channel.channel().resetConnectBackoff();
        }
    }

    @Override
    public void close() {
        OperatorChannel open;
        synchronized (this) {
            closed = true;
            open = channel;
        }
        if (open == null) {
            return;
        }
        open.close();
    }
}
