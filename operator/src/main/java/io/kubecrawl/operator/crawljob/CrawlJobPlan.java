package io.kubecrawl.operator.crawljob;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.operator.events.ClusterEvent;

/**
 * What one reconcile of a CrawlJob does, decided before anything is done.
 *
 * @param createWorkerToken whether the job's token Secret is missing and must be created
 * @param createWorkerJob the worker Job to create, when it is missing
 * @param changeWorkerJob the new parallelism and suspend of an existing worker Job, when they differ
 * @param finalizeOutputs whether to finalise the job's items and logs, after the status says Completing
 * @param status the status the CrawlJob should carry afterwards
 * @param events what to tell the user
 */
public record CrawlJobPlan(boolean createWorkerToken, Optional<Job> createWorkerJob,
        Optional<WorkerJobChange> changeWorkerJob, boolean finalizeOutputs, CrawlJobStatus status,
        List<ClusterEvent> events) {
}
