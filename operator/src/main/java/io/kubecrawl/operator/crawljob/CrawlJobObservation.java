package io.kubecrawl.operator.crawljob;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.Spider;

/**
 * What the cluster and the operator's stores hold for one CrawlJob; nothing here was written by observing, and
 * nothing is written by deciding.
 *
 * @param frontier the job's frontier and outputs, when it has one
 * @param problem why the job's seeds or recorded progress cannot give a frontier
 * @param missingBundle the digest of the bundle the job pinned, when the operator's bundle store does not hold it
 */
public record CrawlJobObservation(Optional<Spider> spider, Optional<Job> workerJob, Optional<Secret> workerToken,
        Optional<FrontierView> frontier, Optional<JobProblem> problem, Optional<String> missingBundle) {

    public CrawlJobObservation(Optional<Spider> spider, Optional<Job> workerJob, Optional<Secret> workerToken) {
        this(spider, workerJob, workerToken, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public CrawlJobObservation withFrontier(FrontierView view) {
        return new CrawlJobObservation(spider, workerJob, workerToken, Optional.of(view), Optional.empty(),
                missingBundle);
    }

    public CrawlJobObservation withProblem(JobProblem jobProblem) {
        return new CrawlJobObservation(spider, workerJob, workerToken, Optional.empty(), Optional.of(jobProblem),
                missingBundle);
    }

    public CrawlJobObservation withSpider(Spider read) {
        return new CrawlJobObservation(Optional.of(read), workerJob, workerToken, frontier, problem, missingBundle);
    }

    public CrawlJobObservation withMissingBundle(String digest) {
        return new CrawlJobObservation(spider, workerJob, workerToken, frontier, problem, Optional.of(digest));
    }
}
