package io.kubecrawl.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grpc-java server on loopback set up as {@link GrpcServerTls} sets up the operator's: it serves the kept
 * certificate, serves a renewed one from the next handshake on without being restarted, and refuses a plaintext
 * client before any call reaches a service.
 */
@EnableKubernetesMockClient(crud = true)
class RenewedCertificateOnLoopbackTest {
    KubernetesClient client;

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    final AtomicInteger calls = new AtomicInteger();
    ServingCertificateKeeper keeper;
    Server server;

    @BeforeEach
    void startServer() throws Exception {
        keeper = new ServingCertificateKeeper(client, ServingCertificateKeeperTest.policy(true,
                ServingCertificateKeeperTest.NAMES), clock);
        keeper.refresh();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(keeper.serverSslContext())
                .addService(new BundleServiceGrpc.BundleServiceImplBase() {
                    @Override
                    public void getManifest(GetManifestRequest request, StreamObserver<Manifest> response) {
                        calls.incrementAndGet();
                        response.onNext(Manifest.getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .build().start();
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aRenewedCertificateServesTheNextHandshakeWithoutARestart() throws Exception {
        X509Certificate before = presented();
        assertThat(before).isEqualTo(keeper.current().orElseThrow().leaf());

        clock.advance(ServingCertificateKeeperTest.VALIDITY.minus(ServingCertificateKeeperTest.RENEW_BEFORE)
                .plusHours(1));
        ServingCertificate renewed = keeper.refresh();
        X509Certificate after = presented();

        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        assertThat(after).isEqualTo(renewed.leaf());
        assertThat(server.isShutdown()).as("the same server, never restarted").isFalse();
    }

    @Test
    void aTlsClientTrustingTheCaIsServed() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", server.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(keeper.current().orElseThrow().trust()
                        .toArray(X509Certificate[]::new)).build())
                .build();
        try {
            assertThat(BundleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getManifest(GetManifestRequest.getDefaultInstance())).isEqualTo(Manifest.getDefaultInstance());
            assertThat(calls).hasValue(1);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPlaintextClientIsRefusedBeforeAnyCall() throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
        try {
            assertThatThrownBy(() -> BundleServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).getManifest(GetManifestRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            refused -> assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(calls).as("no call reached the service").hasValue(0);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The certificate the server presents in a new TLS handshake, checked to be signed by the kept CA. The test's clock
     * runs months ahead of the JDK's, so the handshake itself accepts any chain and the signature is checked here.
     */
    private X509Certificate presented() throws Exception {
        X509Certificate[] chain = new X509Certificate[1];
        X509TrustManager recording = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] certificates, String authType) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] certificates, String authType) {
                chain[0] = certificates[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {recording}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", server.getPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.startHandshake();
        }
        chain[0].verify(keeper.current().orElseThrow().trust().get(0).getPublicKey());
        return chain[0];
    }
}
