package io.kubecrawl.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.e2e.cluster.KubecrawlCluster;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;

/**
 * examples/quotes applied as a user applies it, but for what must differ on a test cluster: the worker image built
 * from this checkout, seeds on a copy of the quotes site served on loopback, short delays (the site is ours), a
 * 15 s lease, and the number of workers and the batch size the caller asks for.
 */
public final class QuotesExample {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String NAME = "quotes";

    private final KubecrawlCluster cluster;
    private final LoopbackQuotesSite site;

    public QuotesExample(KubecrawlCluster cluster, LoopbackQuotesSite site) {
        this.cluster = cluster;
        this.site = site;
    }

    /** Applies configmap.yaml, spider.yaml and crawljob.yaml to {@code namespace}, which it creates. */
    public void apply(String namespace, int workers, int batchSize) throws IOException {
        cluster.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .endMetadata().build()).serverSideApply();
        for (String manifest : List.of("configmap.yaml", "spider.yaml", "crawljob.yaml")) {
            for (HasMetadata loaded : load(manifest)) {
                cluster.admin().resource(forThisCluster(loaded, workers, batchSize)).inNamespace(namespace)
                        .create();
            }
        }
    }

    /**
     * Another run of the example's Spider: crawljob.yaml under another name, in a namespace {@link #apply} filled,
     * with leases of {@code leaseSeconds} (workers renew them every third of that).
     */
    public CrawlJob createCrawlJob(String namespace, String name, int workers, int batchSize, int leaseSeconds)
            throws IOException {
        CrawlJob crawlJob = (CrawlJob) forThisCluster(load("crawljob.yaml").get(0), workers, batchSize);
        crawlJob.getSpec().getFrontier().setLeaseSeconds(leaseSeconds);
        crawlJob.getMetadata().setName(name);
        crawlJob.getMetadata().setNamespace(namespace);
        return cluster.admin().resource(crawlJob).create();
    }

    private List<HasMetadata> load(String manifest) throws IOException {
        try (InputStream yaml = Files.newInputStream(Checkout.ROOT.resolve("examples/quotes").resolve(manifest))) {
            return cluster.admin().load(yaml).items();
        }
    }

    private HasMetadata forThisCluster(HasMetadata loaded, int workers, int batchSize) {
        // Loaded as generic resources: the kind says which class they are.
        return switch (loaded.getKind()) {
            case "Spider" -> {
                Spider spider = cluster.admin().getKubernetesSerialization().convertValue(loaded, Spider.class);
                spider.getSpec().getRuntime().setImage(cluster.workerImage());
                spider.getSpec().getRuntime().setArgs(List.of("-s", "DOWNLOAD_DELAY=0",
                        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"));
                yield spider;
            }
            case "CrawlJob" -> {
                CrawlJob crawlJob = cluster.admin().getKubernetesSerialization().convertValue(loaded, CrawlJob.class);
                crawlJob.getSpec().setSeeds(site.pageUrls().stream().map(this::seenByPods).toList());
                crawlJob.getSpec().setWorkers(workers);
                crawlJob.getSpec().getFrontier().setBatchSize(batchSize);
                // The example's 120 s lease makes a restarted operator wait 82 s for workers to present their
                // leases; the test's batches take a second or two.
                crawlJob.getSpec().getFrontier().setLeaseSeconds(15);
                yield crawlJob;
            }
            default -> loaded;
        };
    }

    /** Every item the crawl must deliver, exactly once: its page URL as the pods saw it, a space, its text. */
    public List<String> expectedItemKeys() {
        return site.expectedItemKeys().stream().map(key -> {
            int space = key.indexOf(' ');
            return seenByPods(key.substring(0, space)) + key.substring(space);
        }).toList();
    }

    /** The key of each item of the items API's answer (JSON lines), as {@link #expectedItemKeys} writes them. */
    public static List<String> itemKeys(String jsonLines) throws IOException {
        List<String> keys = new ArrayList<>();
        for (String line : jsonLines.lines().toList()) {
            JsonNode item = JSON.readTree(line);
            keys.add(item.get("url").asText() + " " + item.get("text").asText());
        }
        return keys;
    }

    /** A URL of the site as the cluster's pods reach it: on k3s through the Docker host. */
    private String seenByPods(String url) {
        URI uri = URI.create(url);
        return url.replace(uri.getAuthority(), cluster.siteAuthority(uri.getHost(), uri.getPort()));
    }
}
