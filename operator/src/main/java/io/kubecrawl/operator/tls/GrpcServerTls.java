package io.kubecrawl.operator.tls;

import jakarta.inject.Singleton;

import io.quarkus.arc.Unremovable;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;
import org.jboss.logging.Logger;

/**
 * Puts the gRPC server (Quarkus's separate grpc-java server) on TLS with the kept serving certificate. Quarkus's own
 * TLS settings take files, read once at start; the Netty SSL context set here asks {@link ServingCertificateKeeper}'s
 * key manager at every handshake instead, so a renewed certificate serves without a restart. Quarkus's plain-text
 * setting stays at its default: it only says that Quarkus itself sets up no TLS.
 */
@Singleton
@Unremovable
public class GrpcServerTls implements ServerBuilderCustomizer<VertxServerBuilder> {
    private static final Logger LOG = Logger.getLogger(GrpcServerTls.class);

    private final ServingCertificateKeeper keeper;

    public GrpcServerTls(ServingCertificateKeeper keeper) {
        this.keeper = keeper;
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        if (keeper.plaintext()) {
            return;
        }
        builder.nettyBuilder().sslContext(keeper.serverSslContext());
        // Quarkus then logs "TLS enabled: false": it set up no TLS of its own; this context is the one in use.
        LOG.info("gRPC server: TLS, with the serving certificate ServingCertificateKeeper keeps");
    }
}
