package io.kubecrawl.operator.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javaoperatorsdk.operator.Operator;
import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.operator.crawljob.WorkerLabels;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.SeedList;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.RecordedStatuses;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
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

    @Inject
    RecordedStatuses statuses;

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
        // It ran before the restart: two workers held a batch each at its last checkpoint.
        List<String> seeds = IntStream.range(0, 6).mapToObj(i -> "http://site.test/r/" + i).toList();
        cluster.crawlJob("running", "quotes", 2, spec -> {
            spec.setSeeds(seeds);
            FrontierSpec frontier = new FrontierSpec();
            frontier.setPartitioning(Partitioning.Url);
            frontier.setSlots(2);
            frontier.setBatchSize(1);
            frontier.setLeaseSeconds(5);
            frontier.setMaxBatchesPerWorker(1);
            spec.setFrontier(frontier);
        });
        String digest = FrontierLayout.of(SeedList.parse(seeds), Partitioning.Url, 2, 1).seedsDigest();
        setStatus("running", CrawlJobPhase.Running, digest, new BatchCounters(6, 0, 0, 2));
        // Its worker Job, whose workers may still hold those batches: the rebuilt frontier waits for them to Renew.
        cluster.client().batch().v1().jobs().inNamespace(cluster.namespace()).resource(new JobBuilder()
                .withNewMetadata().withName("running-workers")
                .addToLabels(WorkerLabels.MANAGED_BY, WorkerLabels.MANAGED_BY_VALUE)
                .addNewOwnerReference().withApiVersion("kubecrawl.io/v1alpha1").withKind("CrawlJob")
                .withName("running").withUid(cluster.client().resources(CrawlJob.class)
                        .inNamespace(cluster.namespace()).withName("running").require().getMetadata().getUid())
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withParallelism(2).withNewTemplate().withNewSpec().addNewContainer().withName("worker")
                .withImage("worker").endContainer().withRestartPolicy("OnFailure").endSpec().endTemplate().endSpec()
                .build()).create();

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
        assertThat(cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace()).withName("running")
                .require().getStatus().getBatches().getLeased())
                .as("the batches leased before the restart, which their workers may still run").isEqualTo(2);
        assertThat(cluster.awaitCrawlJob("inconsistent", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed)
                .getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason())
                        .isEqualTo("InconsistentStatus"));
        WorkerClient worker = new WorkerClient(channel, job("fresh"),
                WorkerClient.token(cluster.awaitSecret("fresh-worker-token")), "worker-1");
        LeaseReply reply = worker.lease();
        assertThat(reply.hasBatch()).as("a fresh job leases at once: %s", reply).isTrue();

        // Of the two batches leased before the restart, one is presented on Renew and kept; the other is leased again
        // once the grace period is over, and only that one counts.
        String token = WorkerClient.token(cluster.awaitSecret("running-worker-token"));
        WorkerClient presenting = new WorkerClient(channel, job("running"), token, "worker-a");
        WorkerClient other = new WorkerClient(channel, job("running"), token, "worker-b");
        Batch presented = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(0).setNumber(0)).build();
        assertThat(presenting.renew(presented).getHeldList()).containsExactly(presented.getRef());
        Batch again = await().atMost(MockCluster.TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(other::lease, LeaseReply::hasBatch).getBatch();
        assertThat(again.getRef()).isNotEqualTo(presented.getRef());

        // A finished job is reconciled too, but only once the gate is open: recovery does not wait for it.
        List<RecordedStatuses.Recorded> done = await().atMost(MockCluster.TIMEOUT)
                .until(() -> statuses.of(cluster.namespace(), "done"), recorded -> !recorded.isEmpty());
        assertThat(done).as("the finished job's reconciles").allMatch(RecordedStatuses.Recorded::gateOpen);
        assertThat(statuses.of(cluster.namespace(), "fresh")).as("an unfinished job's first reconcile")
                .first().matches(recorded -> !recorded.gateOpen());

        String metrics = get("q/metrics").body();
        assertThat(metrics).contains(
                "kubecrawl_recovery_jobs_total{outcome=\"rebuilt\",phase=\"Pending\"} 1.0",
                "kubecrawl_recovery_jobs_total{outcome=\"rebuilt\",phase=\"Running\"} 1.0",
                "kubecrawl_recovery_jobs_total{outcome=\"failed\",phase=\"Running\"} 1.0",
                "kubecrawl_recovery_jobs_total{outcome=\"problem\",phase=\"Pending\"} 1.0",
                "kubecrawl_recovery_pending_jobs 0.0",
                "kubecrawl_leases_reestablished_total 1.0",
                "kubecrawl_restart_batches_leased_again_total 1.0");
        assertThat(metrics).doesNotContain("phase=\"Succeeded\"").containsPattern(
                "(?m)^kubecrawl_recovery_duration_seconds [0-9.E]+$");
    }

    private void setStatus(String name, CrawlJobPhase phase, String seedsDigest) {
        setStatus(name, phase, seedsDigest, null);
    }

    private void setStatus(String name, CrawlJobPhase phase, String seedsDigest, BatchCounters batches) {
        CrawlJob crawlJob = cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace())
                .withName(name).get();
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(phase);
        status.setSeedsDigest(seedsDigest);
        status.setBatches(batches);
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
