package io.kubecrawl.operator.crawljob;

import io.kubecrawl.crd.v1alpha1.CrawlJob;

/**
 * Reads a CrawlJob spec with the CRD's defaults applied, for API servers (and tests) that did not apply them.
 * The defaults here must match those declared on the CRD types.
 */
final class CrawlJobSpecs {

    private CrawlJobSpecs() {
    }

    static int workers(CrawlJob crawlJob) {
        Integer workers = crawlJob.getSpec().getWorkers();
        return workers == null ? 1 : workers;
    }

    static boolean suspended(CrawlJob crawlJob) {
        return Boolean.TRUE.equals(crawlJob.getSpec().getSuspend());
    }
}
