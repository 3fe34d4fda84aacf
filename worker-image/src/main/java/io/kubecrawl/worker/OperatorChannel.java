package io.kubecrawl.worker;

import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLException;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

/**
 * How the agent's clients reach the operator: a channel to {@code connection.operator()}, TLS verified against the
 * operator's CA (or plaintext HTTP/2 when the pod template asks for it), with the worker's credentials on every call,
 * on an event loop of its own that {@link #close()} stops. gRPC's shared event loop outlives a closed channel by a second, and the JVM's exit waits up to 300 ms for a
 * thread that sits in native code, as an idle event loop does in epoll_wait: a short-lived sync would pay that on
 * every run. The loop is Java's NIO: one connection needs no native transport, whose library would be unpacked to
 * disk on every start.
 */
public final class OperatorChannel implements AutoCloseable {
    private static final long CLOSE_TIMEOUT_SECONDS = 5;

    private final ManagedChannel channel;
    private final EventLoopGroup eventLoop;

    private OperatorChannel(ManagedChannel channel, EventLoopGroup eventLoop) {
        this.channel = channel;
        this.eventLoop = eventLoop;
    }

    /**
     * Opens the channel; it connects on its first call. Callbacks run on the event loop: the agent's only queue
     * chunks, complete futures or wake waiting threads.
     *
     * @param options what the client's own calls need (message size, flow control window, retries)
     */
    public static OperatorChannel open(Connection connection, UnaryOperator<NettyChannelBuilder> options) {
        EventLoopGroup eventLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("kubecrawl-grpc", true));
        try {
            ManagedChannel channel = options.apply(secured(NettyChannelBuilder.forTarget(connection.operator().toString())
                    .eventLoopGroup(eventLoop)
                    .channelType(NioSocketChannel.class), connection.trust())
                    .directExecutor()
                    .userAgent("kubecrawl-worker")
                    .intercept(new WorkerCredentialsInterceptor(connection)))
                    .build();
            return new OperatorChannel(channel, eventLoop);
        } catch (RuntimeException failure) {
            eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw failure;
        }
    }

    /**
     * TLS that trusts only the given CA and checks that the certificate names the host dialled (grpc-java's default
     * with an SSL context), or plaintext.
     */
    private static NettyChannelBuilder secured(NettyChannelBuilder builder, OperatorTrust trust) {
        if (trust instanceof OperatorTrust.CertificateAuthority authority) {
            try {
                return builder.sslContext(GrpcSslContexts.forClient()
                        .trustManager(authority.certificates().toArray(X509Certificate[]::new))
                        .build());
            } catch (SSLException unusable) {
                throw new IllegalStateException("cannot set up TLS with the " + authority + ": "
                        + unusable.getMessage(), unusable);
            }
        }
        return builder.usePlaintext();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** Cancels what is still running, closes the connection and stops the event loop's thread. */
    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            eventLoop.shutdownGracefully(0, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
