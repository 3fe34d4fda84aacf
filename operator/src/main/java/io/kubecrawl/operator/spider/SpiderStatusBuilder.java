package io.kubecrawl.operator.spider;

import java.time.Instant;

import io.kubecrawl.crd.v1alpha1.BundleSummary;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderStatus;
import io.kubecrawl.operator.status.ConditionsBuilder;

/** The status a Spider should carry, given what its source resolved to. */
public final class SpiderStatusBuilder {

    public static final String READY = "Ready";
    public static final String BUNDLE_RESOLVED = "BundleResolved";

    private SpiderStatusBuilder() {
    }

    public static SpiderStatus build(Spider spider, BundleResolution resolution, Instant now) {
        SpiderStatus previous = spider.getStatus();
        long generation = spider.getMetadata().getGeneration() == null ? 0 : spider.getMetadata().getGeneration();
        ConditionsBuilder conditions = new ConditionsBuilder(previous == null ? null : previous.getConditions(),
                generation, now);
        SpiderStatus status = new SpiderStatus();
        status.setObservedGeneration(generation);
        resolution.manifest().ifPresentOrElse(manifest -> {
            status.setBundle(new BundleSummary(manifest.digest(), manifest.files().size(), manifest.totalBytes()));
            conditions.set(READY, true, BUNDLE_RESOLVED,
                    "bundle " + manifest.digest() + " holds " + manifest.files().size() + " files, "
                            + manifest.totalBytes() + " bytes");
        }, () -> {
            SourceProblem problem = resolution.problem().orElseThrow();
            conditions.set(READY, false, problem.reason(), problem.message());
        });
        status.setConditions(conditions.build());
        return status;
    }
}
