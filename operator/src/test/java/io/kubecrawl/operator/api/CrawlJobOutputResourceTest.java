package io.kubecrawl.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;
import io.kubecrawl.operator.testing.OperatorChannels;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.Batch;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The items and logs API: authorised by the cluster's RBAC, streamed, readable after the job ended. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlJobOutputResourceTest {

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    LogStore logStore;

    @TestHTTPResource("/")
    URL api;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    @Inject
    ServingCertificateKeeper servingCertificate;

    MockCluster cluster;
    ManagedChannel channel;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
        ClusterIdentities.install(server.getKubernetesMockServer());
        channel = OperatorChannels.tls(servingCertificate, grpcPort);
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void itemsAreStreamedToWhoeverMayGetTheJob() throws Exception {
        WorkerClient worker = runningJob();
        List<String> expected = new ArrayList<>();
        worker.drain(batch -> {
            List<String> items = batch.getRequestsList().stream().map(u -> "{\"url\":\"" + u + "\"}").toList();
            worker.complete(batch, items);
            expected.addAll(items);
        });
        cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);

        HttpResponse<String> items = get("items", ClusterIdentities.ADMIN_TOKEN);

        assertThat(items.statusCode()).isEqualTo(200);
        assertThat(items.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/jsonl"));
        assertThat(items.body().lines().toList()).containsExactlyInAnyOrderElementsOf(expected).hasSize(5);
    }

    @Test
    void callersWithoutATokenOrWithoutRbacAreRefused() throws Exception {
        runningJob();

        assertThat(get("items", null).statusCode()).isEqualTo(401);
        assertThat(get("items", "not-a-token").statusCode()).isEqualTo(401);
        assertThat(get("items", ClusterIdentities.STRANGER_TOKEN).statusCode()).isEqualTo(403);
        assertThat(get("logs?worker=w1", ClusterIdentities.STRANGER_TOKEN).statusCode()).isEqualTo(403);
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(api.toURI().resolve(
                        "api/v1/namespaces/" + cluster.namespace() + "/crawljobs/nope/items"))
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void aReaderAttachedBeforeTheFinishAndOneAfterReadTheSameFullLog() throws Exception {
        WorkerClient worker = runningJob();
        Batch batch = worker.lease().getBatch();
        worker.log(batch.getRef(), false, "line 1", "line 2");
        CrawlJobName job = new CrawlJobName(cluster.namespace(), "crawl");

        CompletableFuture<HttpResponse<String>> early = http.sendAsync(request("logs?worker=worker-1&follow=true",
                ClusterIdentities.ADMIN_TOKEN), HttpResponse.BodyHandlers.ofString());
        worker.log(batch.getRef(), false, "line 3");
        assertThat(early).isNotDone();
        worker.log(batch.getRef(), true, "line 4");
        await().atMost(MockCluster.TIMEOUT).until(() -> logStore.isFinished(job, "worker-1"));
        HttpResponse<String> late = get("logs?worker=worker-1&follow=true", ClusterIdentities.ADMIN_TOKEN);

        String expected = "line 1\nline 2\nline 3\nline 4\n";
        assertThat(early.get(20, TimeUnit.SECONDS).body()).isEqualTo(expected);
        assertThat(late.statusCode()).isEqualTo(200);
        assertThat(late.body()).isEqualTo(expected);
        assertThat(get("logs", ClusterIdentities.ADMIN_TOKEN).body()).contains("worker-1");
        assertThat(get("logs?worker=nobody", ClusterIdentities.ADMIN_TOKEN).statusCode()).isEqualTo(404);
    }

    private WorkerClient runningJob() {
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        io.kubecrawl.crd.v1alpha1.CrawlJob crawlJob = new io.kubecrawl.crd.v1alpha1.CrawlJob();
        crawlJob.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("crawl")
                .withNamespace(cluster.namespace()).build());
        var spec = new io.kubecrawl.crd.v1alpha1.CrawlJobSpec();
        spec.setSpiderRef(new io.kubecrawl.crd.v1alpha1.SpiderReference("quotes"));
        spec.setSeeds(List.of("http://a.test/1", "http://a.test/2", "http://a.test/3", "http://b.test/1",
                "http://b.test/2"));
        var frontier = new io.kubecrawl.crd.v1alpha1.FrontierSpec();
        frontier.setBatchSize(2);
        frontier.setSlots(2);
        frontier.setMaxBatchesPerWorker(1);
        spec.setFrontier(frontier);
        crawlJob.setSpec(spec);
        cluster.client().resource(crawlJob).create();
        String token = WorkerClient.token(cluster.awaitSecret("crawl-worker-token"));
        cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null && c.getStatus().getBatches() != null);
        return new WorkerClient(channel, new CrawlJobName(cluster.namespace(), "crawl"), token, "worker-1");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(request(path, token), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, String token) throws Exception {
        URI uri = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/crawljobs/crawl/" + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }
}
