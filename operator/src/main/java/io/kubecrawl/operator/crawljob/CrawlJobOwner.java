package io.kubecrawl.operator.crawljob;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kubecrawl.crd.v1alpha1.ApiGroup;
import io.kubecrawl.crd.v1alpha1.CrawlJob;

/** The owner reference that makes Kubernetes delete a job's children with it. */
final class CrawlJobOwner {

    private CrawlJobOwner() {
    }

    static OwnerReference reference(CrawlJob crawlJob) {
        return new OwnerReferenceBuilder()
                .withApiVersion(ApiGroup.API_VERSION)
                .withKind("CrawlJob")
                .withName(crawlJob.getMetadata().getName())
                .withUid(crawlJob.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}
