package io.kubecrawl.operator.recovery;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.cluster.ResourcePages;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.status.StatusRecorded;
import io.kubecrawl.protocol.CrawlJobName;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * The operator's recovery after its start, which opens the {@link RecoveryGate} once three things are done: the
 * stores on the data volume are open (they are injected here, so they are open before this bean exists), the
 * operator has started (JOSDK starts it only once every informer has synced), and every CrawlJob that was unfinished
 * at the start has been reconciled once, which rebuilds its frontier or records why it cannot.
 *
 * <p>The jobs to wait for are listed from the API server a page at a time, and only their uid, name and phase are
 * kept. A reconcile tells recovery it ran through the {@link StatusRecorded} event that its last step fires; a
 * reconcile that ran before the listing reached its job is remembered until then. A job deleted meanwhile stops being
 * waited for (the listing is repeated every {@link #PRESENCE_CHECK_INTERVAL}); a job whose reconciles keep failing is
 * waited for at most {@code kubecrawl.recovery.timeout} from the listing, after which its frontier, if a failed
 * reconcile built one, is dropped again and the gate opens without it. Dropping it loses nothing, since it has served
 * no worker yet: its workers are told to come back until a reconcile of the job succeeds and rebuilds it.
 */
@Singleton
public class StartupRecovery {

    /** The frontier is in the registry: its workers are served. */
    static final String REBUILT = "rebuilt";
    /** The reconcile finished the job: a Completing job whose outputs were final. */
    static final String SUCCEEDED = "succeeded";
    /** The reconcile failed the job: its frontier cannot be rebuilt (an inconsistent status, say); a condition says why. */
    static final String FAILED = "failed";
    /** Reconciled without a frontier, for a reason that may pass (seeds not found yet, ...); a condition says why. */
    static final String PROBLEM = "problem";
    /** Deleted before it was reconciled. */
    static final String DELETED = "deleted";
    /** Its reconciles kept failing until kubecrawl.recovery.timeout. */
    static final String TIMED_OUT = "timedOut";

    /** After the JOSDK listener (priority 3123) has started the operator. */
    private static final int AFTER_OPERATOR_START = 3200;
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration PRESENCE_CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(StartupRecovery.class);

    private record PendingJob(CrawlJobName name, String phase) {
    }

    private final RecoveryGate gate;
    private final KubernetesClient client;
    private final Operator operator;
    private final FrontierRegistry frontiers;
    private final Duration timeout;
    private final long startedNanos = System.nanoTime();
    private volatile long openedNanos = -1;

    /** The unfinished jobs not reconciled yet, by uid; complete once {@link #listed}. */
    private final Map<String, PendingJob> pending = new HashMap<>();
    /** Outcomes of reconciles that ran before the listing was complete, by uid. */
    private final Map<String, String> reconciledEarly = new HashMap<>();
    private boolean listed;
    private long listedNanos;
    private int listedJobs;
    private long nextPresenceCheckNanos;
    private ScheduledExecutorService ticker;

    public StartupRecovery(RecoveryGate gate, KubernetesClient client, Operator operator, FrontierRegistry frontiers,
            OperatorSettings settings, ItemStore items, LogStore logs, BundleStore bundles) {
        this.gate = gate;
        this.client = client;
        this.operator = operator;
        this.frontiers = frontiers;
        this.timeout = settings.recovery().timeout();
    }

    void onStart(@Observes @Priority(AFTER_OPERATOR_START) StartupEvent start) {
        tick();
        if (!gate.isOpen()) {
            ticker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "kubecrawl-recovery");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    /** The last step of every successful reconcile. */
    void onStatusRecorded(@Observes StatusRecorded recorded) {
        if (gate.isOpen() || !(recorded.resource() instanceof CrawlJob crawlJob)) {
            return;
        }
        String outcome = outcome(crawlJob, recorded);
        synchronized (this) {
            String uid = crawlJob.getMetadata().getUid();
            if (!listed) {
                reconciledEarly.put(uid, outcome);
                return;
            }
            PendingJob job = pending.remove(uid);
            if (job != null) {
                count(job.phase(), outcome);
            }
        }
        openIfDone();
    }

    private String outcome(CrawlJob crawlJob, StatusRecorded recorded) {
        if ("gone".equals(recorded.outcome())) {
            return DELETED;
        }
        CrawlJobName name = new CrawlJobName(crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName());
        if (frontiers.find(name).isPresent()) {
            return REBUILT;
        }
        if (recorded.status() instanceof CrawlJobStatus status && status.getPhase() != null
                && status.getPhase().isFinished()) {
            return status.getPhase() == CrawlJobPhase.Succeeded ? SUCCEEDED : FAILED;
        }
        return PROBLEM;
    }

    private void tick() {
        try {
            if (gate.isOpen()) {
                return;
            }
            if (!operator.getRuntimeInfo().isStarted()) {
                // Listed only once the informers have synced (JOSDK starts the operator after that), so that the
                // listing sees at least every job the informers hand to the reconciler.
                gate.waitFor("the informers to sync");
                return;
            }
            if (!isListed()) {
                list();
            } else if (System.nanoTime() - nextPresenceCheckNanos >= 0) {
                dropDeleted();
            }
            openIfDone();
        } catch (RuntimeException e) {
            // The API server may not answer yet: the next tick tries again.
            gate.waitFor("listing CrawlJobs: " + e.getMessage());
            LOG.debugf(e, "Recovery: listing CrawlJobs failed; trying again");
        }
    }

    private synchronized boolean isListed() {
        return listed;
    }

    /** Reads every CrawlJob a page at a time and keeps the unfinished ones to wait for. */
    private void list() {
        gate.waitFor("listing CrawlJobs");
        Map<String, PendingJob> unfinished = new HashMap<>();
        int[] all = {0};
        ResourcePages.forEach(client, CrawlJob.class, crawlJob -> {
            all[0]++;
            CrawlJobPhase phase = crawlJob.getStatus() == null ? null : crawlJob.getStatus().getPhase();
            if (phase == null || !phase.isFinished()) {
                unfinished.put(crawlJob.getMetadata().getUid(), new PendingJob(new CrawlJobName(
                        crawlJob.getMetadata().getNamespace(), crawlJob.getMetadata().getName()),
                        phase == null ? CrawlJobPhase.Pending.name() : phase.name()));
            }
        });
        synchronized (this) {
            unfinished.forEach((uid, job) -> {
                String outcome = reconciledEarly.get(uid);
                if (outcome == null) {
                    pending.put(uid, job);
                } else {
                    count(job.phase(), outcome);
                }
            });
            reconciledEarly.clear();
            listedJobs = unfinished.size();
            listedNanos = System.nanoTime();
            listed = true;
            nextPresenceCheckNanos = System.nanoTime() + PRESENCE_CHECK_INTERVAL.toNanos();
        }
        LOG.infof("Recovery: %d CrawlJobs, %d of them unfinished; each is served once it has been reconciled",
                all[0], unfinished.size());
    }

    /** Stops waiting for jobs deleted before their first reconcile (a deleted job is never reconciled again). */
    private void dropDeleted() {
        Set<String> present = new HashSet<>();
        ResourcePages.forEach(client, CrawlJob.class, crawlJob -> present.add(crawlJob.getMetadata().getUid()));
        synchronized (this) {
            pending.entrySet().removeIf(entry -> {
                if (present.contains(entry.getKey())) {
                    return false;
                }
                count(entry.getValue().phase(), DELETED);
                return true;
            });
            nextPresenceCheckNanos = System.nanoTime() + PRESENCE_CHECK_INTERVAL.toNanos();
        }
    }

    private synchronized void openIfDone() {
        if (gate.isOpen() || !listed) {
            return;
        }
        if (!pending.isEmpty()) {
            if (System.nanoTime() - listedNanos < timeout.toNanos()) {
                gate.waitFor(pending.size() + " of " + listedJobs + " unfinished CrawlJobs to be reconciled");
                return;
            }
            pending.forEach((uid, job) -> {
                // What its failed reconciles started is stopped: its workers wait until one succeeds.
                frontiers.forget(job.name(), uid);
                count(job.phase(), TIMED_OUT);
                LOG.warnf("Recovery: CrawlJob %s was not reconciled within %s of the listing; serving the others",
                        job.name(), timeout);
            });
            pending.clear();
        }
        openedNanos = System.nanoTime();
        gate.open();
        LOG.infof("Recovery done in %.3f s: %d unfinished CrawlJobs reconciled; serving workers and uploads",
                (openedNanos - startedNanos) / 1e9, listedJobs);
        if (ticker != null) {
            ticker.shutdown();
        }
    }

    private void count(String phase, String outcome) {
        LOG.debugf("Recovery: a job that was %s at the start: %s", phase, outcome);
    }
}
