package io.kubecrawl.operator.testing;

import static org.awaitility.Awaitility.await;

import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLException;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.kubecrawl.operator.tls.ServingCertificate;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;

/** Channels to the operator's gRPC test port as a worker pod opens them: TLS, trusting the operator's CA only. */
public final class OperatorChannels {

    private OperatorChannels() {
    }

    /** A TLS channel to localhost:{@code port}, once the operator has loaded its serving certificate. */
    public static ManagedChannel tls(ServingCertificateKeeper keeper, int port) {
        ServingCertificate serving = await("the operator's gRPC serving certificate").atMost(Duration.ofSeconds(30))
                .until(keeper::current, java.util.Optional::isPresent).orElseThrow();
        try {
            return NettyChannelBuilder.forAddress("localhost", port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(serving.trust().toArray(X509Certificate[]::new))
                            .build())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
