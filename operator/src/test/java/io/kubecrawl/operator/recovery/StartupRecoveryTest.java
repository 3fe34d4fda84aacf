package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javaoperatorsdk.operator.Operator;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's start as a restart finds it: CrawlJobs exist before the operator starts. Here the operator is not
 * started by Quarkus but by the test, so that what happens before its informers have synced can be seen: workers and
 * uploads are refused with a retryable answer, and readiness is DOWN, until every unfinished job has been reconciled
 * once, a job whose frontier cannot be rebuilt included.
 */
@QuarkusTest
@TestProfile(StartupRecoveryTest.OperatorStartedByTheTest.class)
@WithKubernetesTestServer(crud = true)
class StartupRecoveryTest extends WorkerChannelTest {

    public static class OperatorStartedByTheTest implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.operator-sdk.start-operator", "false");
        }
    }

    @Inject
    Operator operator;

    @Inject
    FrontierRegistry frontiers;

    @Inject
    ObjectMapper json;

    @TestHTTPResource("/")
    URL http;

    private final HttpClient httpClient = HttpClient.newHttpClient();

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    @Test
    void workersUploadsAndReadinessWaitUntilEveryUnfinishedJobIsReconciledOnceAProblemJobIncluded() throws Exception {
        ClusterIdentities.install(server.getKubernetesMockServer());
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        cluster.crawlJob("fresh", "quotes", 1, spec -> spec.setSeeds(
                IntStream.range(0, 4).mapToObj(i -> "http://site.test/" + i).toList()));
        // Its status recorded other seeds than its spec has: its frontier cannot be rebuilt.
        cluster.crawlJob("inconsistent", "quotes", 1);
        setStatus("inconsistent", CrawlJobPhase.Running, "sha256:" + "0".repeat(64));
        // Its seeds' ConfigMap does not exist (yet): it waits for it, and must not keep the others waiting.
        cluster.crawlJob("no-seeds", "quotes", 1, spec -> {
            spec.setSeeds(null);
            spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("missing", "seeds.txt")));
        });
        cluster.crawlJob("done", "quotes", 1);
        setStatus("done", CrawlJobPhase.Succeeded, null);

        // Before the start no worker token is known yet, and still the answer is the retryable one, not a refusal.
        WorkerClient early = new WorkerClient(channel, job("fresh"), "not-a-token-yet", "worker-1");
        StatusRuntimeException refused = catchThrowableOfType(early::lease, StatusRuntimeException.class);
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getStatus().getDescription()).contains("recovering after its start", "retry");
        assertThat(recoveryCheck()).isEqualTo("DOWN");
        HttpResponse<String> upload = httpClient.send(HttpRequest.newBuilder(
                        http.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/spiders/quotes/bundle"))
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN)
                .header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[16])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(503);
        assertThat(upload.headers().firstValue("Retry-After")).hasValue("2");

        operator.start();

        await().atMost(MockCluster.TIMEOUT).until(this::recoveryCheck, "UP"::equals);
        assertThat(frontiers.find(job("fresh"))).as("rebuilt before the gate opened").isPresent();
        assertThat(cluster.awaitCrawlJob("inconsistent", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed)
                .getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason())
                        .isEqualTo("InconsistentStatus"));
        WorkerClient worker = new WorkerClient(channel, job("fresh"),
                WorkerClient.token(cluster.awaitSecret("fresh-worker-token")), "worker-1");
        LeaseReply reply = worker.lease();
        assertThat(reply.hasBatch()).as("a fresh job leases at once: %s", reply).isTrue();
    }

    private void setStatus(String name, CrawlJobPhase phase, String seedsDigest) {
        CrawlJob crawlJob = cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace())
                .withName(name).get();
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(phase);
        status.setSeedsDigest(seedsDigest);
        crawlJob.setStatus(status);
        cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace()).resource(crawlJob)
                .updateStatus();
    }

    /** The status of the recovery check in {@code /q/health/ready}. */
    private String recoveryCheck() throws Exception {
        JsonNode health = json.readTree(get("q/health/ready").body());
        for (JsonNode check : health.path("checks")) {
            if (RecoveryReadiness.NAME.equals(check.path("name").asText())) {
                return check.path("status").asText();
            }
        }
        return "absent";
    }

    private HttpResponse<String> get(String path) throws Exception {
        return httpClient.send(HttpRequest.newBuilder(http.toURI().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CrawlJobName job(String name) {
        return new CrawlJobName(cluster.namespace(), name);
    }
}
