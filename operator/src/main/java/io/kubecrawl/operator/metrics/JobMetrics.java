package io.kubecrawl.operator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import jakarta.inject.Singleton;

import io.kubecrawl.crd.v1alpha1.BatchCounters;
import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The per-job series of the Prometheus endpoint, tagged {@code namespace} and {@code crawljob} only: no URL or host
 * tag, so a job has a fixed number of series whatever it crawls. A job's series exist while the operator runs its
 * frontier (from its rebuild until the job finishes); counters start at 0 with each operator process, as Prometheus
 * counters do, and the job's status keeps the totals.
 *
 * <p>Gauges read the frontier when scraped, so a job costs nothing between scrapes.
 */
@Singleton
public class JobMetrics {

    /** Requests of the batches completed: the pages a job's workers fetched for the frontier. */
    public static final String PAGES = "kubecrawl.job.pages";
    /** Items stored. */
    public static final String ITEMS = "kubecrawl.job.items";
    /** Batches by state: {@code done}, {@code failed}, {@code leased}, {@code waiting}. */
    public static final String BATCHES = "kubecrawl.job.batches";
    /** Leases workers hold now. */
    public static final String LEASES = "kubecrawl.job.leases";
    /** Discovered requests by state: {@code queued}, {@code leased}, {@code done}, {@code filtered}. */
    public static final String FRONTIER_REQUESTS = "kubecrawl.job.frontier.requests";
    /** Bundle bytes the job's workers were sent. */
    public static final String BYTES_SYNCED = "kubecrawl.job.bundle.synced.bytes";
    /** Bytes the job's workers uploaded, by {@code kind}: {@code items}, {@code logs}. */
    public static final String BYTES_UPLOADED = "kubecrawl.job.uploaded.bytes";

    private final MeterRegistry registry;
    /**
     * Every series registered for a job, gauges and counters, so that forgetting a job removes its own series
     * without scanning the registry's: after a restart, a thousand finished jobs are forgotten at once.
     */
    private final Map<CrawlJobName, Set<Meter>> seriesByJob = new ConcurrentHashMap<>();

    public JobMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Exposes the frontier the operator now runs for the job; replaces the gauges of an earlier one. */
    public void track(CrawlJobName job, Frontier frontier) {
        // Removed first: registering a gauge under an existing id returns the existing one, bound to the old frontier.
        Set<Meter> series = seriesOf(job);
        for (Meter gauge : series.stream().filter(Gauge.class::isInstance).toList()) {
            registry.remove(gauge);
            series.remove(gauge);
        }
        Tags tags = tags(job);
        List<Meter> gauges = new ArrayList<>();
        gauges.add(batches(tags, "done", frontier, BatchCounters::getDone));
        gauges.add(batches(tags, "failed", frontier, BatchCounters::getFailed));
        gauges.add(batches(tags, "leased", frontier, BatchCounters::getLeased));
        gauges.add(batches(tags, "waiting", frontier,
                counters -> counters.getTotal() - counters.getDone() - counters.getFailed() - counters.getLeased()));
        gauges.add(Gauge.builder(LEASES, frontier, f -> f.leases().size()).tags(tags)
                .description("Batches of the job leased to workers now").strongReference(false).register(registry));
        gauges.add(frontierRequests(tags, "queued", frontier, DiscoveredRequestsStatus::getQueued));
        gauges.add(frontierRequests(tags, "leased", frontier, DiscoveredRequestsStatus::getLeased));
        gauges.add(frontierRequests(tags, "done", frontier, DiscoveredRequestsStatus::getDone));
        gauges.add(frontierRequests(tags, "filtered", frontier, DiscoveredRequestsStatus::getFiltered));
        seriesOf(job).addAll(gauges);
    }

    /** Removes every series of a job the operator no longer runs (finished, or deleted). */
    public void forget(CrawlJobName job) {
        Set<Meter> series = seriesByJob.remove(job);
        if (series != null) {
            series.forEach(registry::remove);
        }
    }

    public void batchCompleted(CrawlJobName job, int pages, long items) {
        counter(job, Counter.builder(PAGES).tags(tags(job)).description("Requests of the job's completed batches"))
                .increment(pages);
        counter(job, Counter.builder(ITEMS).tags(tags(job)).description("Items of the job stored")).increment(items);
    }

    public void bundleBytesSent(CrawlJobName job, long bytes) {
        counter(job, Counter.builder(BYTES_SYNCED).tags(tags(job))
                .description("Bundle bytes sent to the job's workers").baseUnit("bytes")).increment(bytes);
    }

    public void uploaded(CrawlJobName job, String kind, long bytes) {
        counter(job, Counter.builder(BYTES_UPLOADED).tags(tags(job).and("kind", kind))
                .description("Bytes of items and logs the job's workers uploaded").baseUnit("bytes"))
                .increment(bytes);
    }

    private Counter counter(CrawlJobName job, Counter.Builder builder) {
        Counter counter = builder.register(registry);
        seriesOf(job).add(counter);
        return counter;
    }

    private Set<Meter> seriesOf(CrawlJobName job) {
        return seriesByJob.computeIfAbsent(job, name -> ConcurrentHashMap.newKeySet());
    }

    private Gauge batches(Tags tags, String state, Frontier frontier, ToDoubleFunction<BatchCounters> value) {
        return Gauge.builder(BATCHES, frontier, f -> value.applyAsDouble(f.counters()))
                .tags(tags.and("state", state)).description("Batches of the job by state")
                .strongReference(false).register(registry);
    }

    private Gauge frontierRequests(Tags tags, String state, Frontier frontier,
            java.util.function.Function<DiscoveredRequestsStatus, Long> value) {
        return Gauge.builder(FRONTIER_REQUESTS, frontier, f -> {
            DiscoveredRequestsStatus status = f.discoveredStatus();
            return status == null ? 0 : value.apply(status);
        }).tags(tags.and("state", state)).description("Discovered requests of the job by state")
                .strongReference(false).register(registry);
    }

    private static Tags tags(CrawlJobName job) {
        return Tags.of("namespace", job.namespace(), "crawljob", job.name());
    }
}
