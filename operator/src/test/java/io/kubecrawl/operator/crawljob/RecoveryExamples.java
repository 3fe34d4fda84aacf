package io.kubecrawl.operator.crawljob;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubecrawl.crd.v1alpha1.BundleSummary;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SlotProgress;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.SeedList;

/**
 * A CrawlJob of 4 seeds in one slot of 2 batches, its Spider and children, and what {@link CrawlJobObserver} sees of
 * them right after an operator restart (no frontier in the registry, so one rebuilt from the status): the inputs of
 * the decide step for the recovery tests.
 */
final class RecoveryExamples {

    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    static final String PINNED = "sha256:" + "a".repeat(64);
    /** The Spider's bundle now: another than the one the job pinned. */
    static final String NEWER = "sha256:" + "b".repeat(64);
    static final List<String> SEEDS = IntStream.range(0, 4).mapToObj(i -> "http://site.test/" + i).toList();

    private RecoveryExamples() {
    }

    static CrawlJobDecider decider() {
        return new CrawlJobDecider(new WorkerJobFactory("worker:1", "operator.test:9090", 10, WorkerTransport.TLS),
                RETRY_AFTER);
    }

    /** The job as a status of {@code phase} recorded it: {@code done} of its 2 batches done, its bundle pinned. */
    static CrawlJob crawlJob(CrawlJobPhase phase, int done) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName("crawl").withNamespace("ns").withUid("uid-1")
                .withGeneration(1L).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(2);
        spec.setSeeds(SEEDS);
        FrontierSpec frontier = new FrontierSpec();
        frontier.setPartitioning(Partitioning.None);
        frontier.setSlots(1);
        frontier.setBatchSize(2);
        spec.setFrontier(frontier);
        crawlJob.setSpec(spec);
        if (phase != null) {
            CrawlJobStatus status = new CrawlJobStatus();
            status.setPhase(phase);
            status.setObservedGeneration(1L);
            status.setBundleDigest(PINNED);
            status.setSeedsDigest(layout(crawlJob).seedsDigest());
            status.setConditions(List.of(phaseCondition(phase)));
            if (done > 0) {
                status.setSlots(List.of(new SlotProgress(0, done, null, null, null)));
            }
            crawlJob.setStatus(status);
        }
        return crawlJob;
    }

    /** The condition that carries the reason of {@code phase}, with the reason that phase usually has. */
    private static Condition phaseCondition(CrawlJobPhase phase) {
        return switch (phase) {
            case Pending -> new Condition(CrawlJobStatusBuilder.PROGRESSING, "False", "SpiderNotFound", "no Spider");
            case Running -> new Condition(CrawlJobStatusBuilder.PROGRESSING, "True", "Crawling", "2 workers running");
            case Completing -> new Condition(CrawlJobStatusBuilder.PROGRESSING, "True", "FrontierDrained", "drained");
            case Suspended -> new Condition(CrawlJobStatusBuilder.SUSPENDED, "True", "SuspendedBySpec", "suspended");
            case Succeeded -> new Condition(CrawlJobStatusBuilder.COMPLETE, "True", "CrawlCompleted", "4 items");
            case Failed -> new Condition(CrawlJobStatusBuilder.FAILED, "True", "WorkersFailed", "failed");
        };
    }

    static FrontierLayout layout(CrawlJob crawlJob) {
        return FrontierLayout.of(SeedList.parse(crawlJob.getSpec().getSeeds()), CrawlJobSpecs.layoutSettings(crawlJob));
    }

    /**
     * What observing finds right after a restart: the frontier rebuilt from the status (not registered), the
     * outputs as the stores hold them, and the children given.
     */
    static CrawlJobObservation afterRestart(CrawlJob crawlJob, Job job, boolean token, long items,
            boolean outputsFinalized) {
        CrawlJobStatus status = crawlJob.getStatus();
        Frontier rebuilt = Frontier.restore(layout(crawlJob), CrawlJobSpecs.frontierSettings(crawlJob, RETRY_AFTER),
                status == null ? null : status.getSlots(), status == null ? null : status.getSeedsDigest());
        return children(job, token)
                .withFrontier(FrontierView.of(rebuilt, true, NOW, items, outputsFinalized));
    }

    /** What observing finds of a finished job: only its children (its frontier is not rebuilt). */
    static CrawlJobObservation children(Job job, boolean token) {
        return new CrawlJobObservation(Optional.of(spider(NEWER)), Optional.ofNullable(job),
                Optional.ofNullable(token ? new SecretBuilder().withNewMetadata().withName("crawl-worker-token")
                        .endMetadata().build() : (Secret) null));
    }

    /**
     * The Spider "quotes": ready with the bundle of {@code digest}, or, with a null digest, not ready (its ConfigMap
     * missing).
     */
    static Spider spider(String digest) {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName("quotes").withNamespace("ns").withGeneration(1L).build());
        SpiderSpec spec = new SpiderSpec();
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage("spider:1");
        runtime.setCommand(List.of("scrapy", "crawl", "quotes"));
        spec.setRuntime(runtime);
        spider.setSpec(spec);
        SpiderStatus status = new SpiderStatus();
        status.setObservedGeneration(1L);
        if (digest != null) {
            status.setBundle(new BundleSummary(digest, 1, 10));
            status.setConditions(List.of(new Condition("Ready", "True", "BundleResolved", "1 file")));
        } else {
            status.setConditions(List.of(new Condition("Ready", "False", "SourceNotFound", "no ConfigMap")));
        }
        spider.setStatus(status);
        return spider;
    }

    /** The worker Job as the operator created it for generation 1 with the pinned bundle. */
    static Job workerJob(boolean suspended, int ready) {
        return new JobBuilder()
                .withNewMetadata().withName("crawl-workers").withNamespace("ns")
                .withCreationTimestamp("2026-11-22T11:00:00Z")
                .withAnnotations(Map.of(WorkerLabels.GENERATION_ANNOTATION, "1",
                        WorkerLabels.BUNDLE_ANNOTATION, PINNED))
                .endMetadata()
                .withNewSpec().withParallelism(2).withSuspend(suspended).endSpec()
                .withNewStatus().withActive(ready).withReady(ready).endStatus()
                .build();
    }
}
