package io.kubecrawl.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.LeaseOutcome;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A job's series follow its frontier while the operator runs it, carry no URL or host, and go when it finishes. */
class JobMetricsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T06:00:00Z");
    private static final CrawlJobName JOB = new CrawlJobName("crawls", "quotes");
    private static final CrawlJobName OTHER = new CrawlJobName("crawls", "other");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobMetrics metrics = new JobMetrics(registry);

    @Test
    void gaugesReadTheFrontierWhenScrapedAndCountersAddUp() {
        Frontier frontier = frontier("https://a.test/1", "https://a.test/2", "https://a.test/3");
        metrics.track(JOB, frontier);

        LeaseOutcome.Granted granted = (LeaseOutcome.Granted) frontier.lease("w-1", NOW);
        assertThat(batches("leased")).isEqualTo(1);
        assertThat(batches("waiting")).isEqualTo(1);
        assertThat(registry.get(JobMetrics.LEASES).tag("crawljob", "quotes").gauge().value()).isEqualTo(1);

        frontier.complete(granted.lease().batch(), "w-1", NOW);
        metrics.batchCompleted(JOB, 2, 5);
        metrics.uploaded(JOB, "items", 300);
        metrics.bundleBytesSent(JOB, 4096);

        assertThat(batches("done")).isEqualTo(1);
        assertThat(batches("leased")).isZero();
        assertThat(registry.get(JobMetrics.PAGES).tag("crawljob", "quotes").counter().count()).isEqualTo(2);
        assertThat(registry.get(JobMetrics.ITEMS).tag("crawljob", "quotes").counter().count()).isEqualTo(5);
        assertThat(registry.get(JobMetrics.BYTES_UPLOADED).tags("crawljob", "quotes", "kind", "items").counter()
                .count()).isEqualTo(300);
        assertThat(registry.get(JobMetrics.BYTES_SYNCED).tag("crawljob", "quotes").counter().count())
                .isEqualTo(4096);
        assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags())
                .extracting(tag -> tag.getKey()).isSubsetOf("namespace", "crawljob", "state", "kind"));
    }

    @Test
    void aRebuiltFrontierReplacesTheGaugesOfTheEarlierOne() {
        Frontier before = frontier("https://a.test/1");
        metrics.track(JOB, before);
        before.lease("w-1", NOW);

        metrics.track(JOB, frontier("https://a.test/1"));

        assertThat(batches("leased")).as("the new frontier's, not the old one's").isZero();
    }

    @Test
    void forgettingAJobRemovesEverySeriesOfItAndNoneOfAnotherJob() {
        metrics.track(JOB, frontier("https://a.test/1"));
        metrics.track(OTHER, frontier("https://b.test/1"));
        metrics.batchCompleted(JOB, 1, 1);
        metrics.uploaded(JOB, "logs", 10);
        metrics.bundleBytesSent(JOB, 5);
        metrics.track(JOB, frontier("https://a.test/2"));

        metrics.forget(JOB);

        List<Meter> left = registry.getMeters();
        assertThat(left).isNotEmpty().allSatisfy(meter -> assertThat(meter.getId().getTag("crawljob"))
                .isEqualTo("other"));
    }

    private double batches(String state) {
        return registry.get(JobMetrics.BATCHES).tags("crawljob", "quotes", "state", state).gauge().value();
    }

    private static Frontier frontier(String... urls) {
        FrontierLayout layout = FrontierLayout.of(java.util.Arrays.stream(urls).map(url -> new SeedRequest(url, url))
                .toList(), Partitioning.Host, 1, 2);
        return Frontier.fresh(layout, new FrontierSettings(1, Duration.ofSeconds(30), 3, Duration.ofSeconds(1), 1));
    }
}
