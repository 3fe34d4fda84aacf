package io.kubecrawl.crd.v1alpha1;

/**
 * Where the requests a job's spider yields go. The worker gets the value as {@code KUBECRAWL_DISCOVERED} (the protocol
 * module's {@code DiscoveryMode}, whose values are these names).
 */
public enum Discovery {
    /**
     * To the job's frontier, with the batch's completion: deduplicated, placed in slots by the job's partitioning and
     * leased in later batches, possibly to other workers. A request the spider marks {@code kubecrawl_local} stays in
     * its process.
     */
    Frontier,
    /** Nowhere but the spider's own process: each batch crawls everything it finds, as a single Scrapy process would. */
    Local
}
