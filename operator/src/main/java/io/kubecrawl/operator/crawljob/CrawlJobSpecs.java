package io.kubecrawl.operator.crawljob;

import java.time.Duration;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.JobLimits;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.LayoutSettings;

/**
 * Reads a CrawlJob spec with the CRD's defaults applied, for API servers (and tests) that did not apply them.
 * The defaults here must match those declared on the CRD types.
 */
final class CrawlJobSpecs {

    private CrawlJobSpecs() {
    }

    static int workers(CrawlJob crawlJob) {
        Integer workers = crawlJob.getSpec().getWorkers();
        return workers == null ? 1 : workers;
    }

    static boolean suspended(CrawlJob crawlJob) {
        return Boolean.TRUE.equals(crawlJob.getSpec().getSuspend());
    }

    static LayoutSettings layoutSettings(CrawlJob crawlJob) {
        FrontierSpec frontier = frontier(crawlJob);
        return new LayoutSettings(
                frontier.getPartitioning() == null ? Partitioning.Host : frontier.getPartitioning(),
                frontier.getSlots() == null ? 16 : frontier.getSlots(),
                frontier.getBatchSize() == null ? 50 : frontier.getBatchSize());
    }

    static FrontierSettings frontierSettings(CrawlJob crawlJob, Duration retryAfter) {
        FrontierSpec frontier = frontier(crawlJob);
        JobLimits limits = crawlJob.getSpec().getLimits();
        return new FrontierSettings(
                frontier.getMaxBatchesPerWorker() == null ? 2 : frontier.getMaxBatchesPerWorker(),
                Duration.ofSeconds(frontier.getLeaseSeconds() == null ? 120 : frontier.getLeaseSeconds()),
                limits == null || limits.getMaxBatchAttempts() == null ? 3 : limits.getMaxBatchAttempts(),
                retryAfter);
    }

    private static FrontierSpec frontier(CrawlJob crawlJob) {
        return crawlJob.getSpec().getFrontier() == null ? new FrontierSpec() : crawlJob.getSpec().getFrontier();
    }
}
