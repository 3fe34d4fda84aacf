package io.kubecrawl.operator.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubecrawl.crd.v1alpha1.BundleSummary;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BundleGarbageCollectorTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @EnumSource(value = CrawlJobPhase.class, names = {"Pending", "Running", "Completing", "Suspended"})
    void anUnfinishedJobPinsItsBundle(CrawlJobPhase phase) {
        assertThat(BundleGarbageCollector.pinnedBy(crawlJob(phase, DIGEST))).contains(DIGEST);
    }

    @ParameterizedTest
    @EnumSource(value = CrawlJobPhase.class, names = {"Succeeded", "Failed"})
    void aFinishedJobPinsNothing(CrawlJobPhase phase) {
        assertThat(BundleGarbageCollector.pinnedBy(crawlJob(phase, DIGEST))).isEmpty();
    }

    @Test
    void aJobWithoutStatusPhaseOrDigestPinsWhatItHas() {
        assertThat(BundleGarbageCollector.pinnedBy(new CrawlJob())).isEmpty();
        assertThat(BundleGarbageCollector.pinnedBy(crawlJob(null, DIGEST))).contains(DIGEST);
        assertThat(BundleGarbageCollector.pinnedBy(crawlJob(CrawlJobPhase.Pending, null))).isEmpty();
    }

    @Test
    void aSpiderPinsTheBundleItResolvesToNow() {
        Spider spider = new Spider();
        assertThat(BundleGarbageCollector.currentOf(spider)).isEmpty();
        spider.setStatus(new SpiderStatus());
        assertThat(BundleGarbageCollector.currentOf(spider)).isEmpty();
        spider.getStatus().setBundle(new BundleSummary(DIGEST, 1, 10));
        assertThat(BundleGarbageCollector.currentOf(spider)).contains(DIGEST);
    }

    private static CrawlJob crawlJob(CrawlJobPhase phase, String digest) {
        CrawlJob crawlJob = new CrawlJob();
        CrawlJobStatus status = new CrawlJobStatus();
        status.setPhase(phase);
        status.setBundleDigest(digest);
        crawlJob.setStatus(status);
        return crawlJob;
    }
}
