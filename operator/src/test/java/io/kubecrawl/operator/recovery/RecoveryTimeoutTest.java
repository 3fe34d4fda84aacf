package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import io.javaoperatorsdk.operator.Operator;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CrawlJob whose reconciles keep failing after they have rebuilt its frontier (the API server refuses its status
 * writes) does not keep the operator from serving the others: after {@code kubecrawl.recovery.timeout} the gate
 * opens without it, and the frontier its failed reconciles built is dropped again, so that its workers are told to
 * come back rather than served a job the operator could not recover. (A retry of the reconcile rebuilds it later, as
 * any reconcile after the start does; the retries are seconds apart by then, and the test looks within a
 * millisecond of the gate's opening.)
 */
@QuarkusTest
@TestProfile(RecoveryTimeoutTest.ShortTimeout.class)
@WithKubernetesTestServer(crud = true)
class RecoveryTimeoutTest extends WorkerChannelTest {

    public static class ShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.operator-sdk.start-operator", "false",
                    "kubecrawl.recovery.timeout", "5s");
        }
    }

    @Inject
    Operator operator;

    @Inject
    FrontierRegistry frontiers;

    @Inject
    RecoveryGate gate;

    @Inject
    MeterRegistry meters;

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    @Test
    void aJobWhoseReconcilesKeepFailingIsGivenUpAfterTheTimeoutAndWhatTheyStartedIsStopped() {
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        cluster.crawlJob("stuck", "quotes", 1, spec -> spec.setSeeds(List.of("http://site.test/1")));
        server.getKubernetesMockServer().expect().patch()
                .withPath("/apis/kubecrawl.io/v1alpha1/namespaces/" + cluster.namespace() + "/crawljobs/stuck/status")
                .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"refused by the test\"}").always();

        operator.start();
        await("a failed reconcile rebuilt the frontier").atMost(MockCluster.TIMEOUT)
                .until(() -> frontiers.find(job()).isPresent());
        assertThat(gate.isOpen()).isFalse();

        await("the gate opened without the job").atMost(MockCluster.TIMEOUT).pollInterval(Duration.ofMillis(1))
                .pollInSameThread().until(gate::isOpen);
        assertThat(frontiers.find(job())).as("dropped again when the gate opened").isEmpty();
        assertThat(meters.get(StartupRecovery.JOBS_METRIC).tags("phase", "Pending", "outcome", "timedOut").counter()
                .count()).isEqualTo(1);
    }

    private CrawlJobName job() {
        return new CrawlJobName(cluster.namespace(), "stuck");
    }
}
