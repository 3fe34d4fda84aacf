package io.kubecrawl.operator.crawljob;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.Spider;

/** What the cluster holds for one CrawlJob, read from the informer caches; nothing here is ever written. */
public record CrawlJobObservation(Optional<Spider> spider, Optional<Job> workerJob, Optional<Secret> workerToken) {
}
