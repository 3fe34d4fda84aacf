package io.kubecrawl.operator.crawljob;

import java.time.Duration;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.JobLimits;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.LayoutSettings;

/**
 * Reads a CrawlJob spec with the CRD's defaults applied, for API servers (and tests) that did not apply them. The
 * defaults are the CRD types' own ({@code effective...}): they are declared once, there.
 */
final class CrawlJobSpecs {

    private CrawlJobSpecs() {
    }

    static int workers(CrawlJob crawlJob) {
        return crawlJob.getSpec().effectiveWorkers();
    }

    static boolean suspended(CrawlJob crawlJob) {
        return Boolean.TRUE.equals(crawlJob.getSpec().getSuspend());
    }

    static LayoutSettings layoutSettings(CrawlJob crawlJob) {
        FrontierSpec frontier = frontier(crawlJob);
        return new LayoutSettings(frontier.effectivePartitioning(), frontier.effectiveSlots(),
                frontier.effectiveBatchSize());
    }

    static FrontierSettings frontierSettings(CrawlJob crawlJob, Duration retryAfter) {
        FrontierSpec frontier = frontier(crawlJob);
        JobLimits limits = crawlJob.getSpec().getLimits();
        return new FrontierSettings(frontier.effectiveMaxBatchesPerWorker(),
                Duration.ofSeconds(frontier.effectiveLeaseSeconds()),
                (limits == null ? new JobLimits() : limits).effectiveMaxBatchAttempts(), retryAfter,
                frontier.effectiveMaxLeasesPerSlot());
    }

    private static FrontierSpec frontier(CrawlJob crawlJob) {
        return crawlJob.getSpec().getFrontier() == null ? new FrontierSpec() : crawlJob.getSpec().getFrontier();
    }
}
