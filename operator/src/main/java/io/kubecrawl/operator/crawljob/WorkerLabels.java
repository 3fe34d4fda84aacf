package io.kubecrawl.operator.crawljob;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.CrawlJob;

/** Labels and annotations that tie a CrawlJob's children and worker pods back to it. */
public final class WorkerLabels {

    public static final String CRAWLJOB = "kubecrawl.io/crawljob";
    public static final String SPIDER = "kubecrawl.io/spider";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "kubecrawl-operator";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";

    /** The CrawlJob generation a child was built from: a restarted operator tells "created, status not written". */
    public static final String GENERATION_ANNOTATION = "kubecrawl.io/generation";
    public static final String BUNDLE_ANNOTATION = "kubecrawl.io/bundle-digest";

    /** The selector operators and the informers use for children; equality only, so every API server serves it. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

    private WorkerLabels() {
    }

    public static Map<String, String> of(CrawlJob crawlJob, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, "kubecrawl");
        labels.put(COMPONENT, component);
        labels.put(PART_OF, "kubecrawl");
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(CRAWLJOB, crawlJob.getMetadata().getName());
        labels.put(SPIDER, crawlJob.getSpec().getSpiderRef().getName());
        return labels;
    }

    /** The bundle digest a worker Job was created with, from its annotation. */
    public static Optional<String> bundleDigest(Job job) {
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(BUNDLE_ANNOTATION));
    }

    /** The label selector of a job's worker pods, as published in status.selector for the scale subresource. */
    public static String podSelector(CrawlJob crawlJob) {
        return CRAWLJOB + "=" + crawlJob.getMetadata().getName();
    }
}
