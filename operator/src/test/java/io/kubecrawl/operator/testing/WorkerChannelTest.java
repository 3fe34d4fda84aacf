package io.kubecrawl.operator.testing;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A Quarkus test of the operator on the mock API server that talks to it as a worker pod does: each test gets a
 * {@link MockCluster} in a namespace of its own and a TLS gRPC channel to the operator's test port, trusting its CA.
 * Subclasses carry {@code @QuarkusTest} and {@code @WithKubernetesTestServer(crud = true)}.
 */
public abstract class WorkerChannelTest {

    @KubernetesTestServer
    protected KubernetesServer server;

    @Inject
    protected KubernetesClient client;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    protected int grpcPort;

    @Inject
    ServingCertificateKeeper servingCertificate;

    protected MockCluster cluster;
    protected ManagedChannel channel;

    @BeforeEach
    void openClusterAndChannel() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
        channel = OperatorChannels.tls(servingCertificate, grpcPort);
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
