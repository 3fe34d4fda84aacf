package io.kubecrawl.worker;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/** How the agent's clients reach the operator; each adds what its own calls need before building the channel. */
public final class OperatorChannel {

    private OperatorChannel() {
    }

    /**
     * A channel to {@code connection.operator()}, plaintext HTTP/2 inside the cluster network, with the worker's
     * credentials on every call. It runs callbacks on the event loop: the agent's only queue chunks, complete futures
     * or wake waiting threads.
     */
    public static NettyChannelBuilder builder(Connection connection) {
        return NettyChannelBuilder.forTarget(connection.operator().toString())
                .usePlaintext()
                .directExecutor()
                .userAgent("kubecrawl-worker")
                .intercept(new WorkerCredentialsInterceptor(connection));
    }
}
