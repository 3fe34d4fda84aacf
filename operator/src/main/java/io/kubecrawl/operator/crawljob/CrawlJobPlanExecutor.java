package io.kubecrawl.operator.crawljob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.operator.events.ClusterEvent;
import io.kubecrawl.operator.events.EventRecorder;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.GivenUpBatch;
import io.kubecrawl.operator.frontier.discovered.DiscoveredRequestStore;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.operator.status.StatusRecorder;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;
import io.kubecrawl.protocol.CrawlJobName;
import org.jboss.logging.Logger;

/**
 * The act step of a CrawlJob reconcile: runs a plan's steps in their order, and nothing else. Each kill point is
 * reached right after the step whose crash it stands for.
 */
@Singleton
public class CrawlJobPlanExecutor {

    /** JSON pointer of the generation annotation ('/' in the key escaped as ~1). */
    private static final String GENERATION_PATH = "/metadata/annotations/"
            + WorkerLabels.GENERATION_ANNOTATION.replace("~", "~0").replace("/", "~1");
    private static final Logger LOG = Logger.getLogger(CrawlJobPlanExecutor.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StatusRecorder statusRecorder;
    private final EventRecorder eventRecorder;
    private final FrontierRegistry frontiers;
    private final ItemStore items;
    private final LogStore logs;
    private final KillPoints killPoints;
    private final DiscoveredRequestStore discovered;
    private final JobMetrics metrics;
    private final ServingCertificateKeeper servingCertificate;

    public CrawlJobPlanExecutor(StatusRecorder statusRecorder, EventRecorder eventRecorder,
            FrontierRegistry frontiers, ItemStore items, LogStore logs, KillPoints killPoints,
            DiscoveredRequestStore discovered, JobMetrics metrics, ServingCertificateKeeper servingCertificate) {
        this.servingCertificate = servingCertificate;
        this.discovered = discovered;
        this.metrics = metrics;
        this.statusRecorder = statusRecorder;
        this.eventRecorder = eventRecorder;
        this.frontiers = frontiers;
        this.items = items;
        this.logs = logs;
        this.killPoints = killPoints;
    }

    public void execute(CrawlJob crawlJob, KubernetesClient client, CrawlJobPlan plan) {
        CrawlJobName name = new CrawlJobName(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName());
        for (CrawlJobStep step : plan.steps()) {
            run(step, crawlJob, name, client);
        }
    }

    private void run(CrawlJobStep step, CrawlJob crawlJob, CrawlJobName name, KubernetesClient client) {
        if (step instanceof CrawlJobStep.DiscardEarlierOutputs) {
            discardOutputs(name);
        } else if (step instanceof CrawlJobStep.RestoreFrontier restore) {
            frontiers.register(name, crawlJob.getMetadata().getUid(), restore.frontier());
            metrics.track(name, restore.frontier());
            if (restore.frontier().isRestored()) {
                killPoints.reach(KillPoint.FRONTIER_RESTORED, "CrawlJob " + name);
            }
        } else if (step instanceof CrawlJobStep.UpdateFrontierSettings update) {
            frontier(name).ifPresent(f -> f.updateSettings(update.settings()));
        } else if (step instanceof CrawlJobStep.ExpireLeases expire) {
            frontier(name).ifPresent(f -> f.expireLeases(expire.now()));
        } else if (step instanceof CrawlJobStep.CreateWorkerToken) {
            createIfAbsent(client, WorkerTokenSecretFactory.build(crawlJob, newToken(),
                    servingCertificate.plaintext() ? null : servingCertificate.workerTrustPem()));
            killPoints.reach(KillPoint.TOKEN_CREATED, "CrawlJob " + name);
        } else if (step instanceof CrawlJobStep.CreateWorkerJob create) {
            createIfAbsent(client, create.job());
            killPoints.reach(KillPoint.WORKER_JOB_CREATED, "CrawlJob " + name);
        } else if (step instanceof CrawlJobStep.PatchWorkerJob patch) {
            patchWorkerJob(client, name, patch);
        } else if (step instanceof CrawlJobStep.RecordStatus record) {
            if (record.status().getDiscovered() != null) {
                // The status records the store's commit sequence as observed; everything up to it goes to disk
                // first, so that a status never counts work a crash of the machine could still take back.
                discovered.checkpoint();
            }
            if (statusRecorder.record(crawlJob, record.status())) {
                record.transitionEvents().forEach(event -> eventRecorder.record(crawlJob, event));
                killPoints.reach(switch (record.status().getPhase()) {
                    case Running -> KillPoint.CHECKPOINT_WRITTEN;
                    case Completing -> KillPoint.COMPLETING_RECORDED;
                    case Succeeded -> KillPoint.SUCCEEDED_RECORDED;
                    default -> null;
                });
            }
        } else if (step instanceof CrawlJobStep.MarkDrainRecorded) {
            frontier(name).ifPresent(Frontier::markDrainRecorded);
        } else if (step instanceof CrawlJobStep.FinalizeOutputs) {
            finalizeOutputs(name);
            killPoints.reach(KillPoint.OUTPUTS_FINALIZED);
        } else if (step instanceof CrawlJobStep.ReportGivenUpBatch report) {
            reportGivenUp(crawlJob, name, report.batch());
        } else if (step instanceof CrawlJobStep.MarkFinished) {
            frontiers.markFinished(name);
            metrics.forget(name);
            logs.finishAll(name);
        } else {
            throw new IllegalArgumentException("no way to run " + step);
        }
    }

    private Optional<Frontier> frontier(CrawlJobName name) {
        return frontiers.find(name);
    }

    private void patchWorkerJob(KubernetesClient client, CrawlJobName name, CrawlJobStep.PatchWorkerJob patch) {
        LOG.infof("Worker Job %s/%s: parallelism %d, suspend %s", name.namespace(), patch.name(),
                patch.parallelism(), patch.suspend());
        client.batch().v1().jobs().inNamespace(name.namespace()).withName(patch.name())
                .patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(List.of(
                        Map.of("op", "add", "path", "/spec/parallelism", "value", patch.parallelism()),
                        Map.of("op", "add", "path", "/spec/suspend", "value", patch.suspend()),
                        Map.of("op", "add", "path", GENERATION_PATH, "value", String.valueOf(patch.generation())))));
    }

    private void reportGivenUp(CrawlJob crawlJob, CrawlJobName name, GivenUpBatch batch) {
        eventRecorder.record(crawlJob, ClusterEvent.warning(CrawlJobReasons.BATCH_FAILED, "batch " + batch.batch()
                + " was given up after " + batch.attempts() + " failed attempts: " + batch.lastError()));
        frontier(name).ifPresent(f -> f.reported(List.of(batch)));
    }

    private void discardOutputs(CrawlJobName name) {
        try {
            items.deleteAll(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the items of an earlier job named " + name, e);
        }
        logs.deleteAll(name);
    }

    private void finalizeOutputs(CrawlJobName name) {
        try {
            items.finalizeOutput(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finalise the items of " + name, e);
        }
        logs.finishAll(name);
    }

    /** The informer may not have seen a child we created a moment ago; finding it already there is success. */
    private static void createIfAbsent(KubernetesClient client, HasMetadata child) {
        try {
            client.resource(child).create();
            LOG.infof("Created %s %s/%s", child.getKind(), child.getMetadata().getNamespace(),
                    child.getMetadata().getName());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
