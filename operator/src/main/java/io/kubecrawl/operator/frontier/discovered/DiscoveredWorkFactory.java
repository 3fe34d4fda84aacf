package io.kubecrawl.operator.frontier.discovered;

import jakarta.inject.Singleton;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlScopeSpec;
import io.kubecrawl.crd.v1alpha1.Discovery;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.operator.frontier.DiscoveredWork;
import io.kubecrawl.operator.frontier.FrontierLayout;

/** The discovered requests of a CrawlJob, in the operator's store, as the spec's frontier and scope say. */
@Singleton
public class DiscoveredWorkFactory {

    private final DiscoveredRequestStore store;

    public DiscoveredWorkFactory(DiscoveredRequestStore store) {
        this.store = store;
    }

    /** {@link DiscoveredWork#NONE} for a job whose spider keeps its requests ({@code discovered: Local}). */
    public DiscoveredWork forJob(CrawlJob crawlJob, FrontierLayout layout) {
        FrontierSpec frontier = crawlJob.getSpec().getFrontier() == null ? new FrontierSpec()
                : crawlJob.getSpec().getFrontier();
        if (frontier.effectiveDiscovered() != Discovery.Frontier) {
            return DiscoveredWork.NONE;
        }
        JobKey job = JobKey.of(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName(),
                crawlJob.getMetadata().getUid());
        return new StoredDiscoveredWork(store, job, scope(crawlJob.getSpec().getScope()),
                frontier.effectivePartitioning(), layout);
    }

    /** The spec's scope; the API server's schema has checked the numbers, and the patterns compile here. */
    static CrawlScope scope(CrawlScopeSpec spec) {
        if (spec == null) {
            return CrawlScope.UNLIMITED;
        }
        return CrawlScope.of(spec.effectiveMaxDepth(), spec.effectiveMaxRequests(), spec.effectiveAllowedDomains(),
                spec.effectiveUrlPatterns());
    }
}
