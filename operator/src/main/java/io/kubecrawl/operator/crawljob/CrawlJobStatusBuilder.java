package io.kubecrawl.operator.crawljob;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.WorkersStatus;
import io.kubecrawl.operator.status.ConditionsBuilder;

/**
 * Assembles a CrawlJob status with its fixed set of conditions (Ready, Progressing, Complete, Failed, Suspended, the
 * kstatus pair Reconciling and Stalled, and Degraded while the job runs degraded), carrying over what must survive a reconcile: the pinned bundle, the start
 * and completion times, the counters.
 */
public final class CrawlJobStatusBuilder {

    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUSPENDED = "Suspended";
    /**
     * kstatus' "abnormal-true" pair, which Flux and kpt read (and {@code kstatus} itself): Reconciling is True while
     * the job is on its way to an end (InProgress), Stalled is True when it failed or waits for something only the
     * user can fix (Failed); both False once it succeeded or is suspended (Current).
     */
    public static final String RECONCILING = "Reconciling";
    public static final String STALLED = "Stalled";
    /**
     * Present (True) only while the job breaks an invariant it can run with, such as a pinned bundle missing from
     * the bundle store; removed once the invariant holds again.
     */
    public static final String DEGRADED = "Degraded";

    private final CrawlJob crawlJob;
    private final Instant now;
    private final CrawlJobStatus status = new CrawlJobStatus();
    private CrawlJobPhase phase = CrawlJobPhase.Pending;
    private String reason;
    private String message;
    private String degradedReason;
    private String degradedMessage;

    public CrawlJobStatusBuilder(CrawlJob crawlJob, Instant now) {
        this.crawlJob = crawlJob;
        this.now = now;
        CrawlJobStatus previous = crawlJob.getStatus();
        if (previous != null) {
            status.setBundleDigest(previous.getBundleDigest());
            status.setStartTime(previous.getStartTime());
            status.setCompletionTime(previous.getCompletionTime());
            status.setItems(previous.getItems());
            status.setProgress(previous.getProgress());
            status.setSeedsDigest(previous.getSeedsDigest());
            status.setSlots(previous.getSlots());
            status.setBatches(previous.getBatches());
            status.setRequests(previous.getRequests());
            status.setWorkers(previous.getWorkers());
        }
        status.setSelector(WorkerLabels.podSelector(crawlJob));
    }

    public CrawlJobStatusBuilder phase(CrawlJobPhase phase, String reason, String message) {
        this.phase = phase;
        this.reason = reason;
        this.message = message;
        return this;
    }

    /** Adds the Degraded condition; without this call the status has none. */
    public CrawlJobStatusBuilder degraded(String reason, String message) {
        this.degradedReason = reason;
        this.degradedMessage = message;
        return this;
    }

    public String degradedReason() {
        return degradedReason;
    }

    public String degradedMessage() {
        return degradedMessage;
    }

    public CrawlJobStatusBuilder bundleDigest(String digest) {
        status.setBundleDigest(digest);
        return this;
    }

    public CrawlJobStatusBuilder frontier(FrontierView frontier) {
        status.setSeedsDigest(frontier.seedsDigest());
        status.setSlots(frontier.progress().isEmpty() ? null : frontier.progress());
        status.setBatches(frontier.batches());
        status.setRequests(frontier.requests());
        status.setItems(frontier.items());
        status.setDiscovered(frontier.discovered());
        int finished = frontier.batches().getDone() + frontier.batches().getFailed();
        status.setProgress(finished + "/" + frontier.batches().getTotal());
        return this;
    }

    public CrawlJobStatusBuilder workers(WorkersStatus workers) {
        status.setWorkers(workers);
        return this;
    }

    public CrawlJobStatusBuilder startTimeIfUnset(Instant startTime) {
        if (status.getStartTime() == null) {
            status.setStartTime(timestamp(startTime));
        }
        return this;
    }

    public CrawlJobStatusBuilder completionTimeIfUnset(Instant completionTime) {
        if (status.getCompletionTime() == null) {
            status.setCompletionTime(timestamp(completionTime));
        }
        return this;
    }

    public String bundleDigest() {
        return status.getBundleDigest();
    }

    public CrawlJobPhase phase() {
        return phase;
    }

    public String reason() {
        return reason;
    }

    public String message() {
        return message;
    }

    public CrawlJobStatus build() {
        long generation = crawlJob.getMetadata().getGeneration() == null ? 0 : crawlJob.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        status.setPhase(phase);
        CrawlJobStatus previous = crawlJob.getStatus();
        ConditionsBuilder conditions = new ConditionsBuilder(previous == null ? null : previous.getConditions(),
                generation, now);
        String phaseName = phase.name();
        switch (phase) {
            case Pending -> {
                boolean stalled = CrawlJobReasons.WAITING_FOR_USER.contains(reason);
                conditions
                        .set(READY, false, reason, message)
                        .set(PROGRESSING, CrawlJobReasons.WORKERS_STARTING.equals(reason), reason, message)
                        .set(COMPLETE, false, phaseName, message)
                        .set(FAILED, false, phaseName, message)
                        .set(SUSPENDED, false, phaseName, message)
                        .set(RECONCILING, !stalled, reason, message)
                        .set(STALLED, stalled, reason, message);
            }
            case Running, Completing -> {
                boolean workersReady = status.getWorkers() != null && status.getWorkers().getReady() != null
                        && status.getWorkers().getReady() > 0;
                conditions
                        .set(READY, workersReady,
                                workersReady ? CrawlJobReasons.WORKERS_READY : CrawlJobReasons.WORKERS_NOT_READY,
                                message)
                        .set(PROGRESSING, true, reason, message)
                        .set(COMPLETE, false, phaseName, message)
                        .set(FAILED, false, phaseName, message)
                        .set(SUSPENDED, false, phaseName, message)
                        .set(RECONCILING, true, reason, message)
                        .set(STALLED, false, phaseName, message);
            }
            case Suspended -> conditions
                    .set(READY, false, phaseName, message)
                    .set(PROGRESSING, false, phaseName, message)
                    .set(COMPLETE, false, phaseName, message)
                    .set(FAILED, false, phaseName, message)
                    .set(SUSPENDED, true, reason, message)
                    .set(RECONCILING, false, phaseName, message)
                    .set(STALLED, false, phaseName, message);
            case Succeeded -> conditions
                    .set(READY, true, phaseName, message)
                    .set(PROGRESSING, false, phaseName, message)
                    .set(COMPLETE, true, reason, message)
                    .set(FAILED, false, phaseName, message)
                    .set(SUSPENDED, false, phaseName, message)
                    .set(RECONCILING, false, phaseName, message)
                    .set(STALLED, false, phaseName, message);
            case Failed -> conditions
                    .set(READY, false, reason, message)
                    .set(PROGRESSING, false, reason, message)
                    .set(COMPLETE, false, reason, message)
                    .set(FAILED, true, reason, message)
                    .set(SUSPENDED, false, phaseName, message)
                    .set(RECONCILING, false, reason, message)
                    .set(STALLED, true, reason, message);
        }
        if (degradedReason != null) {
            conditions.set(DEGRADED, true, degradedReason, degradedMessage);
        }
        status.setConditions(conditions.build());
        return status;
    }

    static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
