package io.kubecrawl.operator.cluster;

import java.util.function.Consumer;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.kubecrawl.crd.v1alpha1.CrawlJob;

/**
 * The CrawlJobs as the CrawlJob controller's informer holds them. Reading them here costs no request and no
 * decoding: at a restart, when every CrawlJob is looked at once, the informer has just read and decoded the same
 * ones (a page at a time), and reading them all again from the API server took seconds of the start.
 */
@Singleton
public class CrawlJobCache {

    private volatile ResourceCache<CrawlJob> informerCache;

    /** Called by the CrawlJob controller as it registers its event sources, before its informer starts. */
    public void use(ResourceCache<CrawlJob> informerCache) {
        this.informerCache = informerCache;
    }

    /**
     * Runs {@code action} on every CrawlJob the informer holds. The objects are the informer's: read them only.
     *
     * @throws IllegalStateException before the CrawlJob controller has registered
     */
    public void forEach(Consumer<CrawlJob> action) {
        ResourceCache<CrawlJob> cache = informerCache;
        if (cache == null) {
            throw new IllegalStateException("the CrawlJob controller has not registered yet");
        }
        cache.list().forEach(action);
    }
}
