package io.kubecrawl.operator.crawljob;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.DiscoveredWork;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierLayouts;
import io.kubecrawl.operator.frontier.FrontierLookup;
import io.kubecrawl.operator.frontier.InconsistentFrontierException;
import io.kubecrawl.operator.frontier.InvalidSeedException;
import io.kubecrawl.operator.frontier.discovered.DiscoveredWorkFactory;
import io.kubecrawl.operator.frontier.discovered.StoreBehindStatusException;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * The observe step of a CrawlJob reconcile: reads the Spider, the worker Job and the token Secret from the informer
 * caches, the job's frontier and outputs from the operator's stores, and never writes. When the job has no frontier
 * in the registry (after a restart, or on its first reconcile), it rebuilds one from the status and the seeds, which
 * checks the status against the seeds, and leaves registering it to the plan ({@link CrawlJobStep.RestoreFrontier}).
 */
@Singleton
public class CrawlJobObserver {

    private final FrontierLookup frontiers;
    private final ItemStore items;
    private final BundleStore bundles;
    private final SeedsReader seeds;
    private final Duration retryAfter;
    private final BiFunction<CrawlJob, FrontierLayout, DiscoveredWork> discovered;

    @Inject
    public CrawlJobObserver(FrontierLookup frontiers, ItemStore items, BundleStore bundles, FrontierLayouts layouts,
            OperatorSettings settings, DiscoveredWorkFactory discovered) {
        this(frontiers, items, bundles, layouts, settings.frontier().retryAfter(), discovered::forJob);
    }

    /** A job's spider keeps its requests in its process. */
    CrawlJobObserver(FrontierLookup frontiers, ItemStore items, BundleStore bundles, FrontierLayouts layouts,
            Duration retryAfter) {
        this(frontiers, items, bundles, layouts, retryAfter, (crawlJob, layout) -> DiscoveredWork.NONE);
    }

    /**
     * @param retryAfter part of the settings a rebuilt frontier starts with
     * @param discovered a job's discovered requests, read by a rebuilt frontier
     */
    CrawlJobObserver(FrontierLookup frontiers, ItemStore items, BundleStore bundles, FrontierLayouts layouts,
            Duration retryAfter, BiFunction<CrawlJob, FrontierLayout, DiscoveredWork> discovered) {
        this.discovered = discovered;
        this.frontiers = frontiers;
        this.items = items;
        this.bundles = bundles;
        this.seeds = new SeedsReader(bundles, layouts);
        this.retryAfter = retryAfter;
    }

    public CrawlJobObservation observe(CrawlJob crawlJob, Context<CrawlJob> context, Instant now) {
        return observe(crawlJob, new CrawlJobObservation(context.getSecondaryResource(Spider.class),
                context.getSecondaryResource(Job.class), context.getSecondaryResource(Secret.class)),
                context.getClient(), now);
    }

    /**
     * @param children the job's Spider, worker Job and token Secret, as the informer caches hold them
     * @param client for a {@code seedsFrom} ConfigMap, read only
     */
    CrawlJobObservation observe(CrawlJob crawlJob, CrawlJobObservation children, KubernetesClient client,
            Instant now) {
        CrawlJobObservation observed = children;
        Optional<Job> job = children.workerJob();
        CrawlJobStatus status = crawlJob.getStatus();
        if (status != null && status.getPhase() != null && status.getPhase().isFinished()) {
            return observed;
        }
        if (children.spider().isEmpty() && job.isEmpty() && !CrawlJobSpecs.suspended(crawlJob)) {
            // Each informer watches on a stream of its own: a Spider applied with its CrawlJob (kubectl apply -f,
            // Flux, Argo CD) can reach its cache after the job reaches the job's. Only the API server tells that
            // the Spider does not exist, which users are warned of. Asked only while the decider needs the Spider:
            // to start the worker Job.
            Spider read = client.resources(Spider.class).inNamespace(crawlJob.getMetadata().getNamespace())
                    .withName(crawlJob.getSpec().getSpiderRef().getName()).get();
            if (read != null) {
                observed = observed.withSpider(read);
            }
        }
        Optional<String> pinnedBundle = pinnedBundle(status, job);
        if (pinnedBundle.isPresent() && !isStored(pinnedBundle.get())) {
            observed = observed.withMissingBundle(pinnedBundle.get());
        }
        if (SeedsReader.fromBundle(crawlJob) && pinnedBundle.isEmpty()) {
            // The seeds are in the bundle this reconcile pins: the frontier is built from them on the next one.
            return observed;
        }
        CrawlJobName name = new CrawlJobName(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName());
        try {
            Optional<Frontier> registered = frontiers.find(name, crawlJob.getMetadata().getUid());
            Frontier frontier = registered.orElseGet(() -> {
                FrontierLayout layout = seeds.layout(crawlJob, client, pinnedBundle);
                Frontier rebuilt = Frontier.restore(layout, CrawlJobSpecs.frontierSettings(crawlJob, retryAfter),
                        status == null ? null : status.getSlots(), status == null ? null : status.getSeedsDigest(),
                        job.isPresent(), discovered.apply(crawlJob, layout),
                        status == null || status.getDiscovered() == null ? null
                                : status.getDiscovered().getCommitSequence());
                Integer leased = status == null || status.getBatches() == null ? null
                        : status.getBatches().getLeased();
                if (leased != null) {
                    // Not yet shared with anyone: setting it is part of building it.
                    rebuilt.recordLeasesBeforeRestart(leased);
                }
                return rebuilt;
            });
            return observed.withFrontier(FrontierView.of(frontier, registered.isEmpty(), now, items.count(name),
                    items.isFinal(name)));
        } catch (SeedsReader.SeedsNotFoundException e) {
            return observed.withProblem(new JobProblem(CrawlJobReasons.SEEDS_NOT_FOUND, e.getMessage(), e.fatal()));
        } catch (InvalidSeedException e) {
            return observed.withProblem(new JobProblem(CrawlJobReasons.INVALID_SEEDS, e.getMessage(), true));
        } catch (StoreBehindStatusException e) {
            return observed.withProblem(new JobProblem(CrawlJobReasons.FRONTIER_STORE_BEHIND, e.getMessage(), true));
        } catch (InconsistentFrontierException e) {
            return observed.withProblem(new JobProblem(CrawlJobReasons.INCONSISTENT_STATUS,
                    "the frontier progress in the status does not fit the job's seeds: " + e.getMessage(), true));
        }
    }

    /** Whether the bundle store holds the bundle's manifest; a digest that is not one names no stored bundle. */
    private boolean isStored(String digest) {
        try {
            return bundles.containsManifest(digest);
        } catch (IllegalArgumentException notADigest) {
            return false;
        }
    }

    /**
     * The bundle the job runs: the one its status pinned, or, when the status write that pinned it was lost, the one
     * its worker Job was created with.
     */
    private static Optional<String> pinnedBundle(CrawlJobStatus status, Optional<Job> job) {
        if (status != null && status.getBundleDigest() != null) {
            return Optional.of(status.getBundleDigest());
        }
        return job.flatMap(WorkerLabels::bundleDigest);
    }
}
