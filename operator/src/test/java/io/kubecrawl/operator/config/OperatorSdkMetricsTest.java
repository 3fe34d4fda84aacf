package io.kubecrawl.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.operator.testing.MockCluster;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** java-operator-sdk's metrics count reconciles by controller, never by resource: no series per CrawlJob. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorSdkMetricsTest {

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry meters;

    @Test
    void reconcilesAreCountedByControllerWithoutTheResourcesName() {
        MockCluster cluster = new MockCluster(client, server.getKubernetesMockServer());
        cluster.crawlJob("crawl", "quotes", 1);
        cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null);

        List<Meter> operatorSdk = meters.getMeters().stream()
                .filter(meter -> meter.getId().getName().startsWith("operator.sdk.")).toList();

        assertThat(operatorSdk).anySatisfy(meter -> {
            assertThat(meter.getId().getName()).isEqualTo("operator.sdk.reconciliations.started");
            assertThat(meter.getId().getTag("kind")).isEqualTo("CrawlJob");
        });
        assertThat(operatorSdk).allSatisfy(meter -> assertThat(meter.getId().getTags()).extracting(Tag::getKey)
                .as(meter.getId().getName()).doesNotContain("name", "namespace", "resource.name",
                        "resource.namespace"));
    }
}
