package io.kubecrawl.operator.bundle;

import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
import io.kubecrawl.operator.cluster.ResourcePages;
import io.kubecrawl.operator.config.OperatorSettings;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Deletes bundles nothing needs any more. What is needed is read from the cluster on each run, never remembered:
 * the bundle every unfinished CrawlJob pinned, and the bundle every Spider currently resolves to (the next job
 * will pin it). If the cluster cannot be read, nothing is collected.
 */
@ApplicationScoped
public class BundleGarbageCollector {

    private static final Logger LOG = Logger.getLogger(BundleGarbageCollector.class);

    private final KubernetesClient client;
    private final BundleStore store;
    private final OperatorSettings settings;

    public BundleGarbageCollector(KubernetesClient client, BundleStore store, OperatorSettings settings) {
        this.client = client;
        this.store = store;
        this.settings = settings;
    }

    @Scheduled(identity = "bundle-gc", every = "${kubecrawl.bundles.gc-interval:10m}",
            delayed = "${kubecrawl.bundles.gc-interval:10m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void collectOnSchedule() {
        try {
            CollectedGarbage collected = collect();
            if (collected.manifests() + collected.blobs() + collected.tempFiles() > 0) {
                LOG.infof("Bundle garbage collected: %d manifests, %d blobs (%d bytes), %d temporary files",
                        collected.manifests(), collected.blobs(), collected.bytes(), collected.tempFiles());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "Bundle garbage collection skipped; it runs again in %s", settings.bundles().gcInterval());
        }
    }

    /** One collection now, with the pinned set read from the cluster. */
    public CollectedGarbage collect() throws IOException {
        Set<String> pinned = new HashSet<>();
        ResourcePages.forEach(client, CrawlJob.class, crawlJob -> pinnedBy(crawlJob).ifPresent(pinned::add));
        ResourcePages.forEach(client, Spider.class, spider -> {
            currentOf(spider).ifPresent(pinned::add);
            // An upload the reconciler has not turned into status yet must survive too.
            UploadedBundleAnnotation.of(spider).ifPresent(pinned::add);
        });
        return store.collectGarbage(pinned, settings.bundles().gcGrace());
    }

    /** The bundle a CrawlJob holds on to: the one it pinned, until the job has succeeded or failed. */
    public static Optional<String> pinnedBy(CrawlJob crawlJob) {
        CrawlJobStatus status = crawlJob.getStatus();
        if (status == null || (status.getPhase() != null && status.getPhase().isFinished())) {
            return Optional.empty();
        }
        return Optional.ofNullable(status.getBundleDigest());
    }

    /** The bundle a Spider resolves to now, which the next CrawlJob started from it will pin. */
    public static Optional<String> currentOf(Spider spider) {
        SpiderStatus status = spider.getStatus();
        return status == null || status.getBundle() == null ? Optional.empty()
                : Optional.ofNullable(status.getBundle().getDigest());
    }
}
