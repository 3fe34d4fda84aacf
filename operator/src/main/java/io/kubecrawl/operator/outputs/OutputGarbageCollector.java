package io.kubecrawl.operator.outputs;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.operator.cluster.ResourcePages;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.discovered.DiscoveredRequestStore;
import io.kubecrawl.operator.frontier.discovered.JobKey;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.protocol.CrawlJobName;
import io.quarkus.arc.All;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Deletes the items, logs and discovered requests of CrawlJobs that no longer exist: they are served only while their
 * CrawlJob exists, so once it is deleted they only fill the volume. Discovered requests are kept by CrawlJob uid, so a
 * job deleted and created again under its name loses its predecessor's at once. The frontier and per-job series of a
 * job deleted while it ran leave memory too: no reconcile follows a deletion to free them. Which jobs exist is read
 * from the cluster on each run, never remembered; if it cannot be read, nothing is collected. A job's outputs written
 * to within the grace period are kept: a CrawlJob created a moment ago may not be listed yet, and a deleted job's last
 * workers may still report.
 */
@ApplicationScoped
public class OutputGarbageCollector {

    /**
     * What one collection deleted: by kind of output ({@link JobOutputStore#kind()}), the jobs whose outputs are gone,
     * the jobs whose discovered requests are gone, and the jobs whose frontier (and per-job series) left memory.
     */
    public record CollectedOutputs(Map<String, Set<CrawlJobName>> outputs, Set<JobKey> discovered,
            Set<CrawlJobName> frontiers) {

        /** The jobs whose outputs of this kind were deleted. */
        public Set<CrawlJobName> outputs(String kind) {
            return outputs.getOrDefault(kind, Set.of());
        }

        boolean isEmpty() {
            return outputs.values().stream().allMatch(Set::isEmpty) && discovered.isEmpty() && frontiers.isEmpty();
        }
    }

    private static final Logger LOG = Logger.getLogger(OutputGarbageCollector.class);

    private final KubernetesClient client;
    private final List<JobOutputStore> stores;
    private final OperatorSettings settings;
    private final Clock clock;
    private final DiscoveredRequestStore discovered;
    private final FrontierRegistry frontiers;
    private final JobMetrics metrics;

    /** @param stores every store of job outputs (items, logs): the collector knows them only by their interface */
    public OutputGarbageCollector(KubernetesClient client, @All List<JobOutputStore> stores, OperatorSettings settings,
            Clock clock, DiscoveredRequestStore discovered, FrontierRegistry frontiers, JobMetrics metrics) {
        this.discovered = discovered;
        this.frontiers = frontiers;
        this.metrics = metrics;
        this.client = client;
        this.stores = List.copyOf(stores);
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(identity = "output-gc", every = "${kubecrawl.outputs.gc-interval:10m}",
            delayed = "${kubecrawl.outputs.gc-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void collectOnSchedule() {
        try {
            CollectedOutputs collected = collect();
            if (!collected.isEmpty()) {
                LOG.infof("Outputs of deleted CrawlJobs collected: %s, discovered requests of %s, frontiers of %s",
                        collected.outputs(), collected.discovered(), collected.frontiers());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "Output garbage collection skipped; it runs again in %s", settings.outputs().gcInterval());
        }
    }

    /** One collection now, with the existing CrawlJobs read from the cluster. */
    public CollectedOutputs collect() throws IOException {
        // Read before the list: a job whose requests are stored by then existed before the list began, so the list
        // shows it unless it was deleted.
        List<JobKey> stored = discovered.jobs();
        FrontierRegistry.Holdings held = frontiers.holdings();
        Set<CrawlJobName> existing = new HashSet<>();
        Set<String> existingUids = new HashSet<>();
        ResourcePages.forEach(client, CrawlJob.class, crawlJob -> {
            existing.add(new CrawlJobName(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName()));
            existingUids.add(crawlJob.getMetadata().getUid());
        });
        Instant keepAfter = clock.instant().minus(settings.outputs().gcGrace());
        Set<JobKey> collectedDiscovered = new HashSet<>();
        for (JobKey job : stored) {
            if (!existingUids.contains(job.uid())) {
                discovered.deleteJob(job);
                collectedDiscovered.add(job);
            }
        }
        Map<String, Set<CrawlJobName>> collectedOutputs = new TreeMap<>();
        for (JobOutputStore store : stores) {
            collectedOutputs.put(store.kind(), collect(store, existing, keepAfter));
        }
        Set<CrawlJobName> droppedFrontiers = frontiers.dropDeleted(held, existing, existingUids);
        for (CrawlJobName job : droppedFrontiers) {
            if (frontiers.find(job).isEmpty()) { // not a job created again under the name meanwhile
                metrics.forget(job);
            }
        }
        return new CollectedOutputs(collectedOutputs, collectedDiscovered, droppedFrontiers);
    }

    /** Deletes the outputs in {@code store} of jobs not {@code existing} and not written to after {@code keepAfter}. */
    private static Set<CrawlJobName> collect(JobOutputStore store, Set<CrawlJobName> existing, Instant keepAfter)
            throws IOException {
        Set<CrawlJobName> collected = new HashSet<>();
        for (CrawlJobName job : store.jobs()) {
            boolean old = store.lastWrite(job).map(written -> written.isBefore(keepAfter)).orElse(false);
            if (!existing.contains(job) && old) {
                store.deleteAll(job);
                collected.add(job);
            }
        }
        return collected;
    }
}
