package io.kubecrawl.operator.testing;

import java.util.Map;
import java.util.stream.IntStream;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.grpc.ManagedChannel;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.JobLimits;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * The CrawlJob "crawl" of the frontier tests: one slot, {@code seeds} seed URLs in batches of {@code batchSize}, two
 * attempts per batch, a 30 s lease; started and waited for until its workers' Job, token and first status exist.
 */
public final class OneSlotCrawlJob {
    public static final String NAME = "crawl";

    private OneSlotCrawlJob() {
    }

    /** Starts the job and returns a worker of it, "worker-1", speaking gRPC over {@code channel}. */
    public static WorkerClient start(MockCluster cluster, ManagedChannel channel, int seeds, int batchSize) {
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(cluster.namespace()).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(1);
        spec.setSeeds(IntStream.range(0, seeds).mapToObj(i -> "http://site.test/page/" + i + "/").toList());
        FrontierSpec frontier = new FrontierSpec();
        frontier.setPartitioning(Partitioning.None);
        frontier.setSlots(1);
        frontier.setBatchSize(batchSize);
        frontier.setLeaseSeconds(30);
        spec.setFrontier(frontier);
        JobLimits limits = new JobLimits();
        limits.setMaxBatchAttempts(2);
        spec.setLimits(limits);
        crawlJob.setSpec(spec);
        cluster.client().resource(crawlJob).create();
        cluster.awaitJob(NAME + "-workers", j -> true);
        String token = WorkerClient.token(cluster.awaitSecret(NAME + "-worker-token"));
        cluster.awaitCrawlJob(NAME, c -> c.getStatus() != null && c.getStatus().getBatches() != null);
        return new WorkerClient(channel, job(cluster), token, "worker-1");
    }

    public static CrawlJobName job(MockCluster cluster) {
        return new CrawlJobName(cluster.namespace(), NAME);
    }
}
