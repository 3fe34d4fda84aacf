package io.kubecrawl.operator.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.Lease;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.LocalKubelet;
import io.kubecrawl.operator.testing.LocalPod;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.CrawlJobName;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.commons.io.file.PathUtils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole crawl on one machine: the operator in-process against the mock API server, and for the worker Job it
 * creates, worker agents started as real local processes from the Job's pod template (sync into a directory, then
 * run), running the examples/quotes Scrapy project with Debian's Scrapy against a site served on loopback.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlSystemTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORKER_JAR = REPOSITORY.resolve("worker-image/target/kubecrawl-worker.jar");
    private static final Path SCRAPY = Path.of("/usr/bin/scrapy");
    private static final Duration CRAWL_TIMEOUT = Duration.ofMinutes(4);
    private static final int HOSTS = 3;
    private static final int PAGES_PER_HOST = 50;
    private static final int QUOTES_PER_PAGE = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    FrontierRegistry frontiers;

    @TestHTTPResource("/")
    URL api;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    Path pods;

    MockCluster cluster;
    LoopbackQuotesSite site;
    LocalKubelet kubelet;

    @BeforeAll
    static void requireAgentAndScrapy() {
        Assumptions.assumeTrue(Files.isRegularFile(WORKER_JAR), "skipped: no worker agent jar at " + WORKER_JAR
                + " (build the worker-image module first: ./mvnw -B verify runs it before the operator)");
        Assumptions.assumeTrue(Files.isExecutable(SCRAPY), "skipped: no Debian Scrapy at " + SCRAPY
                + " (apt-get install -y python3-scrapy)");
    }

    @BeforeEach
    void setUp() throws Exception {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
        ClusterIdentities.install(server.getKubernetesMockServer());
        site = new LoopbackQuotesSite(HOSTS, PAGES_PER_HOST, QUOTES_PER_PAGE);
        pods = Files.createTempDirectory("kubecrawl-pods");
        kubelet = new LocalKubelet(cluster.client(), pods, WORKER_JAR, "localhost:" + grpcPort,
                LocalKubelet.env("KUBECRAWL_PYTHON_PATH", REPOSITORY.resolve("worker-image/src/main/python")
                        .toString()));
    }

    @AfterEach
    void tearDown() throws java.io.IOException {
        kubelet.close();
        site.close();
        PathUtils.deleteDirectory(pods);
    }

    @Test
    void everyItemArrivesExactlyOnceAndTheLogsOutliveTheWorkers() throws Exception {
        startCrawl(3, 60);
        // While the job runs, its series are on the Prometheus endpoint, labelled by job only.
        String series = await().atMost(CRAWL_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> jobSeries(scrape()), text -> text.contains("kubecrawl_job_pages_total{")
                        && text.contains("kubecrawl_job_uploaded_bytes_total{") && text.contains(
                        "kubecrawl_job_bundle_synced_bytes_total{"));
        System.out.println("Series of the running job:\n" + series);
        assertThat(series).containsPattern("(?m)^kubecrawl_job_pages_total\\{crawljob=\"quotes\",namespace=\""
                + cluster.namespace() + "\"\\} [1-9][0-9]*\\.0$");
        assertThat(series).containsPattern("(?m)^kubecrawl_job_batches\\{crawljob=\"quotes\",namespace=\"[^\"]+\","
                + "state=\"done\"\\} [1-9][0-9]*\\.0$");
        assertThat(series).contains("kubecrawl_job_leases{", "kubecrawl_job_frontier_requests{",
                "kubecrawl_job_items_total{");
        assertThat(series).doesNotContain("http://", "host=");

        CrawlJob done = cluster.awaitCrawlJob("quotes", c -> c.getStatus() != null && c.getStatus().getPhase() != null && c.getStatus().getPhase().isFinished(), CRAWL_TIMEOUT);

        assertThat(done.getStatus().getPhase()).as(diagnostics()).isEqualTo(CrawlJobPhase.Succeeded);
        assertItemsExactlyOnce();
        assertThat(done.getStatus().getItems()).isEqualTo((long) HOSTS * PAGES_PER_HOST * QUOTES_PER_PAGE);
        assertThat(done.getStatus().getRequests()).isEqualTo((long) HOSTS * PAGES_PER_HOST);
        assertThat(done.getStatus().getBatches().getDone()).isEqualTo(done.getStatus().getBatches().getTotal());
        assertThat(done.getStatus().getBatches().getFailed()).isZero();
        await().atMost(CRAWL_TIMEOUT).untilAsserted(() -> assertThat(jobSeries(scrape()))
                .as("a finished job's series are removed").doesNotContain("crawljob=\"quotes\""));
        awaitJobComplete();
        for (LocalPod pod : kubelet.pods()) {
            assertThat(pod.exit().join()).as("exit code of %s: %s", pod.name(), pod.output()).isZero();
            HttpResponse<String> log = get("logs?worker=" + pod.name());
            assertThat(log.statusCode()).isEqualTo(200);
            assertThat(log.body()).as("log of %s", pod.name()).isNotBlank();
        }
    }

    @Test
    void aWorkerKilledInTheMiddleOfABatchLosesNoItemAndDuplicatesNone() throws Exception {
        startCrawl(3, 5);
        CrawlJobName job = new CrawlJobName(cluster.namespace(), "quotes");
        Frontier frontier = await().atMost(CRAWL_TIMEOUT).until(() -> frontiers.find(job), Optional::isPresent).get();
        Lease victim = await().atMost(CRAWL_TIMEOUT).until(() -> frontier.leases().stream().findFirst(),
                Optional::isPresent).get();
        LocalPod pod = kubelet.pods().stream().filter(p -> p.name().equals(victim.worker())).findFirst()
                .orElseThrow();

        pod.kill();

        Lease again = await().atMost(CRAWL_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> frontier.leases()
                .stream().filter(l -> l.batch().equals(victim.batch()) && !l.worker().equals(victim.worker()))
                .findFirst(), Optional::isPresent).get();
        assertThat(again.attempt()).isEqualTo(victim.attempt() + 1);
        CrawlJob done = cluster.awaitCrawlJob("quotes", c -> c.getStatus() != null && c.getStatus().getPhase() != null && c.getStatus().getPhase().isFinished(), CRAWL_TIMEOUT);
        assertThat(done.getStatus().getPhase()).as(diagnostics()).isEqualTo(CrawlJobPhase.Succeeded);
        assertItemsExactlyOnce();
    }

    private void startCrawl(int workers, int leaseSeconds) throws Exception {
        for (String manifest : List.of("configmap.yaml", "spider.yaml")) {
            try (InputStream yaml = Files.newInputStream(REPOSITORY.resolve("examples/quotes").resolve(manifest))) {
                for (HasMetadata resource : cluster.client().load(yaml).items()) {
                    resource.getMetadata().setNamespace(cluster.namespace());
                    if (resource instanceof Spider spider) {
                        // The example's polite delays would make a test of 150 pages slow; the site is our own.
                        spider.getSpec().getRuntime().setArgs(List.of("-s", "DOWNLOAD_DELAY=0",
                                "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                                "-s", "LOG_LEVEL=INFO"));
                    }
                    cluster.client().resource(resource).create();
                }
            }
        }
        cluster.awaitSpider("quotes", s -> s.getStatus() != null && s.getStatus().getBundle() != null);

        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName("quotes").withNamespace(cluster.namespace()).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(workers);
        spec.setSeeds(site.pageUrls());
        FrontierSpec frontier = new FrontierSpec();
        frontier.setPartitioning(Partitioning.Url);
        frontier.setSlots(8);
        frontier.setBatchSize(10);
        frontier.setLeaseSeconds(leaseSeconds);
        spec.setFrontier(frontier);
        crawlJob.setSpec(spec);
        cluster.client().resource(crawlJob).create();

        Job job = cluster.awaitJob("quotes-workers", j -> true);
        kubelet.run(job);
    }

    /** The lines of the job series in a Prometheus scrape, without comments. */
    private static String jobSeries(String scrape) {
        return scrape.lines().filter(line -> line.startsWith("kubecrawl_job_"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private void assertItemsExactlyOnce() throws Exception {
        HttpResponse<String> items = get("items");
        assertThat(items.statusCode()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        for (String line : items.body().lines().toList()) {
            JsonNode item = JSON.readTree(line);
            keys.add(item.get("url").asText() + " " + item.get("text").asText());
        }
        assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(site.expectedItemKeys());
    }

    private void awaitJobComplete() {
        cluster.awaitJob("quotes-workers", j -> j.getStatus() != null && j.getStatus().getConditions() != null
                && j.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete")));
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder();
        for (LocalPod pod : kubelet.pods()) {
            text.append("\n--- pod ").append(pod.name()).append(" ---\n").append(pod.output());
        }
        return text.toString();
    }

    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.toURI().resolve("q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/crawljobs/quotes/" + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
