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

import io.javaoperatorsdk.operator.Operator;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.cluster.CrawlJobCache;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.status.StatusRecorded;
import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * The operator's recovery after its start, which opens the {@link RecoveryGate} once three things are done: the
 * stores on the data volume are open (they are injected here, so they are open before this bean exists), the
 * operator has started (JOSDK starts it only once every informer has synced), and every CrawlJob that was unfinished
 * at the start has been reconciled once, which rebuilds its frontier or records why it cannot.
 *
 * <p>The jobs to wait for are read from the CrawlJob informer's cache (whose initial list read them a page at a
 * time), and only their uid, name and phase are kept. A reconcile tells recovery it ran through the {@link StatusRecorded} event that its last step fires; a
 * reconcile that ran before the listing reached its job is remembered until then. A job deleted meanwhile stops being
 * waited for (the cache is read again every {@link #PRESENCE_CHECK_INTERVAL}); a job whose reconciles keep failing is
 * waited for at most {@code kubecrawl.recovery.timeout} from the listing, after which its frontier, if a failed
 * reconcile built one, is dropped again and the gate opens without it. Dropping it loses nothing, since it has served
 * no worker yet: its workers are told to come back until a reconcile of the job succeeds and rebuilds it.
 */
@Singleton
public class StartupRecovery {

    /** Jobs recovered, by the phase they had at the start and the outcome: {@code kubecrawl_recovery_jobs_total}. */
    public static final String JOBS_METRIC = "kubecrawl.recovery.jobs";
    /** From the application's start to the gate's opening: {@code kubecrawl_recovery_duration_seconds}. */
    public static final String DURATION_METRIC = "kubecrawl.recovery.duration";
    /** Jobs still waited for: {@code kubecrawl_recovery_pending_jobs}. */
    public static final String PENDING_METRIC = "kubecrawl.recovery.pending.jobs";

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

    /** A job's first reconcile after the start: its phase before it, and the outcome. */
    private record Reconciled(String phase, String outcome) {
    }

    private final RecoveryGate gate;
    private final CrawlJobCache crawlJobs;
    private final Operator operator;
    private final FrontierRegistry frontiers;
    private final MeterRegistry meters;
    private final Duration timeout;
    private final long startedNanos = System.nanoTime();
    private volatile long openedNanos = -1;

    /** The unfinished jobs not reconciled yet, by uid; complete once {@link #listed}. */
    private final Map<String, PendingJob> pending = new HashMap<>();
    /** Reconciles that ran before the listing was complete, by uid. */
    private final Map<String, Reconciled> reconciledEarly = new HashMap<>();
    private boolean listed;
    private long listedNanos;
    private int listedJobs;
    private long nextPresenceCheckNanos;
    private ScheduledExecutorService ticker;

    public StartupRecovery(RecoveryGate gate, CrawlJobCache crawlJobs, Operator operator, FrontierRegistry frontiers,
            MeterRegistry meters, OperatorSettings settings, ItemStore items, LogStore logs, BundleStore bundles) {
        this.gate = gate;
        this.crawlJobs = crawlJobs;
        this.operator = operator;
        this.frontiers = frontiers;
        this.meters = meters;
        this.timeout = settings.recovery().timeout();
        TimeGauge.builder(DURATION_METRIC, this, TimeUnit.NANOSECONDS, StartupRecovery::durationNanos)
                .description("Time from the operator's start until it served workers (growing until then)")
                .register(meters);
        Gauge.builder(PENDING_METRIC, this, StartupRecovery::pendingJobs)
                .description("Unfinished CrawlJobs the operator still waits for before it serves workers")
                .register(meters);
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
        String uid = crawlJob.getMetadata().getUid();
        synchronized (this) {
            if (!listed) {
                // The job as this first reconcile found it is the job as it was at the start; the listing may find
                // the status this reconcile wrote.
                reconciledEarly.putIfAbsent(uid, new Reconciled(phaseOf(crawlJob), outcome));
                return;
            }
            PendingJob job = pending.remove(uid);
            if (job == null) {
                return;
            }
            count(job.phase(), outcome);
        }
        openIfDone();
    }

    private static String phaseOf(CrawlJob crawlJob) {
        CrawlJobPhase phase = crawlJob.getStatus() == null ? null : crawlJob.getStatus().getPhase();
        return (phase == null ? CrawlJobPhase.Pending : phase).name();
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
                // Listed only once the informers have synced (JOSDK starts the operator after that): then the cache
                // holds every job the informer hands to the reconciler.
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
            // The next tick tries again.
            gate.waitFor("listing CrawlJobs: " + e);
            LOG.debugf(e, "Recovery: listing CrawlJobs failed; trying again");
        }
    }

    private synchronized boolean isListed() {
        return listed;
    }

    /** Reads every CrawlJob and keeps the unfinished ones to wait for. */
    private void list() {
        gate.waitFor("listing CrawlJobs");
        Map<String, PendingJob> unfinished = new HashMap<>();
        Map<String, Reconciled> early;
        synchronized (this) {
            early = Map.copyOf(reconciledEarly);
        }
        int[] all = {0};
        crawlJobs.forEach(crawlJob -> {
            all[0]++;
            String uid = crawlJob.getMetadata().getUid();
            CrawlJobPhase phase = crawlJob.getStatus() == null ? null : crawlJob.getStatus().getPhase();
            // A job reconciled already counts with its phase before that reconcile, which may have finished it.
            if (early.containsKey(uid) || phase == null || !phase.isFinished()) {
                unfinished.put(uid, new PendingJob(new CrawlJobName(crawlJob.getMetadata().getNamespace(),
                        crawlJob.getMetadata().getName()), phase == null ? CrawlJobPhase.Pending.name() : phase.name()));
            }
        });
        synchronized (this) {
            listedJobs = 0;
            unfinished.forEach((uid, job) -> {
                Reconciled reconciled = reconciledEarly.get(uid);
                if (reconciled == null) {
                    pending.put(uid, job);
                    listedJobs++;
                } else if (!CrawlJobPhase.valueOf(reconciled.phase()).isFinished()) {
                    count(reconciled.phase(), reconciled.outcome());
                    listedJobs++;
                }
            });
            reconciledEarly.clear();
            listedNanos = System.nanoTime();
            listed = true;
            nextPresenceCheckNanos = System.nanoTime() + PRESENCE_CHECK_INTERVAL.toNanos();
        }
        LOG.infof("Recovery: %d CrawlJobs, %d of them unfinished at the start; each is served once it has been "
                + "reconciled", all[0], listedJobs);
    }

    /** Stops waiting for jobs deleted before their first reconcile (a deleted job is never reconciled again). */
    private void dropDeleted() {
        Set<String> present = new HashSet<>();
        crawlJobs.forEach(crawlJob -> present.add(crawlJob.getMetadata().getUid()));
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
        Counter.builder(JOBS_METRIC).description("Unfinished CrawlJobs recovered after the operator's start")
                .tag("phase", phase).tag("outcome", outcome).register(meters).increment();
    }

    private double durationNanos() {
        long opened = openedNanos;
        return (opened < 0 ? System.nanoTime() : opened) - startedNanos;
    }

    private synchronized double pendingJobs() {
        return listed ? pending.size() : Double.NaN;
    }
}
