package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.CrawlJobName;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a job's seeds come from besides {@code spec.seeds}: a ConfigMap key, or a file of the Spider's bundle. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlJobSeedsTest {

    /** Three requests: a comment and a blank line are not requests. */
    private static final String SEEDS = """
            # quotes, three pages
            http://quotes.test/page/1/

            http://quotes.test/page/2/
            {"url": "http://quotes.test/page/3/", "meta": {"depth": 0}}
            """;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    FrontierRegistry frontiers;

    MockCluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
    }

    @Test
    void seedsFromAFileOfTheBundleAreReadFromTheBundleTheJobPinned() {
        Spider spider = spiderWithFiles(Map.of("quotes.py", "import scrapy\n", "urls", SEEDS));
        String pinned = spider.getStatus().getBundle().getDigest();
        createCrawlJob("crawl", SeedsSource.bundleFile("seeds/urls.txt"));

        CrawlJob crawlJob = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null
                && c.getStatus().getRequests() != null);
        assertThat(crawlJob.getStatus().getBundleDigest()).isEqualTo(pinned);
        assertThat(crawlJob.getStatus().getRequests()).isEqualTo(3);
        assertThat(crawlJob.getStatus().getBatches().getTotal()).isEqualTo(1);

        // The Spider gets a new bundle with one other seed, and the operator restarts: the rebuilt frontier still
        // has the seeds of the bundle the job pinned.
        cluster.configMap("quotes-code", Map.of("quotes.py", "import scrapy\n", "urls", "http://quotes.test/other/\n"));
        cluster.awaitSpider("quotes", s -> !s.getStatus().getBundle().getDigest().equals(pinned));
        frontiers.forgetAll();

        CrawlJobName name = new CrawlJobName(cluster.namespace(), "crawl");
        await().atMost(MockCluster.TIMEOUT).until(() -> frontiers.find(name).isPresent());
        assertThat(frontiers.find(name).orElseThrow().requests()).isEqualTo(3);
        assertThat(frontiers.find(name).orElseThrow().seedsDigest()).isEqualTo(crawlJob.getStatus().getSeedsDigest());
        assertThat(cluster.awaitCrawlJob("crawl", c -> true).getStatus().getBundleDigest()).isEqualTo(pinned);
    }

    @Test
    void aSeedsFileTheBundleLacksFailsTheJobNamingThePath() {
        spiderWithFiles(Map.of("quotes.py", "import scrapy\n", "urls", SEEDS));
        createCrawlJob("crawl", SeedsSource.bundleFile("seeds/missing.txt"));

        CrawlJob failed = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null
                && c.getStatus().getPhase() == CrawlJobPhase.Failed);
        assertThat(failed.getStatus().condition("Failed").orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason).containsExactly("True", "SeedsNotFound");
        assertThat(failed.getStatus().condition("Failed").orElseThrow().getMessage())
                .contains("has no file seeds/missing.txt named in spec.seedsFrom.bundleFile");
        cluster.awaitEventReasons("SeedsNotFound");
    }

    @Test
    void aSeedsFileThatIsNotTextFailsTheJob() {
        spiderWithFiles(Map.of("quotes.py", "import scrapy\n", "urls", "http://quotes.test/\n"));
        // Bytes that are not UTF-8, stored through a ConfigMap's binaryData.
        cluster.client().configMaps().inNamespace(cluster.namespace()).withName("quotes-code").edit(c -> {
            c.setBinaryData(Map.of("blob", "/w==")); // 0xff 0xff
            return c;
        });
        cluster.client().resources(Spider.class).inNamespace(cluster.namespace()).withName("quotes").edit(s -> {
            s.getSpec().getSource().getConfigMap().setItems(List.of(new KeyToPath("blob", "seeds/urls.txt", null),
                    new KeyToPath("quotes.py", "quotes.py", null)));
            return s;
        });
        cluster.awaitSpider("quotes", s -> s.getStatus().getObservedGeneration()
                .equals(s.getMetadata().getGeneration()) && s.getStatus().getBundle() != null);
        createCrawlJob("crawl", SeedsSource.bundleFile("seeds/urls.txt"));

        CrawlJob failed = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null
                && c.getStatus().getPhase() == CrawlJobPhase.Failed);
        assertThat(failed.getStatus().condition("Failed").orElseThrow().getMessage())
                .contains("the seeds file seeds/urls.txt of bundle").contains("is not UTF-8 text");
    }

    @Test
    void aMissingSeedsConfigMapKeepsTheJobPendingUntilItIsCreated() {
        spiderWithFiles(Map.of("quotes.py", "import scrapy\n", "urls", SEEDS));
        createCrawlJob("crawl", new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));

        CrawlJob pending = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null
                && c.getStatus().getPhase() != null);
        assertThat(pending.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Pending);
        assertThat(pending.getStatus().condition("Ready").orElseThrow().getReason()).isEqualTo("SeedsNotFound");
        assertThat(pending.getStatus().condition("Ready").orElseThrow().getMessage())
                .contains("ConfigMap seeds named in spec.seedsFrom does not exist");

        cluster.configMap("seeds", Map.of("urls.txt", SEEDS));

        CrawlJob started = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getRequests() != null);
        assertThat(started.getStatus().getRequests()).isEqualTo(3);
    }

    @Test
    void seedsEditedInTheirConfigMapWhileTheJobRanFailItAfterAnOperatorRestart() {
        spiderWithFiles(Map.of("quotes.py", "import scrapy\n", "urls", SEEDS));
        cluster.configMap("seeds", Map.of("urls.txt", SEEDS));
        createCrawlJob("crawl", new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));
        String recorded = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null
                && c.getStatus().getSeedsDigest() != null).getStatus().getSeedsDigest();

        // Three other requests: the same slots and batches, so only the digest tells them apart.
        cluster.configMap("seeds", Map.of("urls.txt", """
                http://quotes.test/tag/love/
                http://quotes.test/tag/life/
                http://quotes.test/tag/books/
                """));
        frontiers.forgetAll();

        CrawlJob failed = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed);
        Condition condition = failed.getStatus().condition("Failed").orElseThrow();
        assertThat(condition.getReason()).isEqualTo("InconsistentStatus");
        assertThat(condition.getMessage()).contains("the job's seeds changed while it ran").contains(recorded);
        assertThat(failed.getStatus().getSeedsDigest()).as("the record stays").isEqualTo(recorded);
        cluster.awaitEventReasons("InconsistentStatus");
    }

    /** A ready Spider whose bundle holds the ConfigMap's keys, {@code urls} as {@code seeds/urls.txt}. */
    private Spider spiderWithFiles(Map<String, String> data) {
        cluster.configMap("quotes-code", data);
        cluster.spider("quotes", MockCluster.configMapSource("quotes-code", new KeyToPath("quotes.py", "quotes.py",
                null), new KeyToPath("urls", "seeds/urls.txt", null)));
        return cluster.awaitSpider("quotes", s -> s.getStatus() != null && s.getStatus().getBundle() != null);
    }

    private void createCrawlJob(String name, SeedsSource seeds) {
        CrawlJob crawlJob = cluster.crawlJob(name, "quotes", 1, spec -> {
            spec.setSeeds(null);
            spec.setSeedsFrom(seeds);
        });
        assertThat(crawlJob.getSpec().getSeedsFrom()).isNotNull();
    }
}
