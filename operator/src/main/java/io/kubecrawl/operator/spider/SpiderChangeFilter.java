package io.kubecrawl.operator.spider;

import java.util.Objects;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;

/**
 * Which updates of a Spider make it reconcile: a new generation (its spec changed), as the default generation-aware
 * processing would decide, and also a new {@link UploadedBundleAnnotation uploaded bundle}, which changes only
 * metadata and so no generation. Status changes, including the reconciler's own writes, do not.
 */
public class SpiderChangeFilter implements OnUpdateFilter<Spider> {

    @Override
    public boolean accept(Spider newSpider, Spider oldSpider) {
        Long oldGeneration = oldSpider.getMetadata().getGeneration();
        return oldGeneration == null
                || !oldGeneration.equals(newSpider.getMetadata().getGeneration())
                || newSpider.isMarkedForDeletion()
                || !Objects.equals(UploadedBundleAnnotation.of(oldSpider), UploadedBundleAnnotation.of(newSpider));
    }
}
