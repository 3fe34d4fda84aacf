package io.kubecrawl.operator.crawljob;

import java.util.Set;

/**
 * Every reason the operator writes on a CrawlJob condition or Event, in one place, grouped as the CRD reference
 * documents them (a test ties each group to its table). One CamelCase word each, as Kubernetes conventions ask.
 */
public final class CrawlJobReasons {

    public static final String SPIDER_NOT_FOUND = "SpiderNotFound";
    public static final String SPIDER_NOT_READY = "SpiderNotReady";
    /** The Spider is new or edited and its reconciler has not resolved it yet: a wait, not a problem. */
    public static final String SPIDER_NOT_RECONCILED = "SpiderNotReconciled";
    public static final String WORKERS_STARTING = "WorkersStarting";
    public static final String CRAWLING = "Crawling";
    public static final String SUSPENDED_BY_SPEC = "SuspendedBySpec";
    public static final String WORKERS_FAILED = "WorkersFailed";
    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    public static final String WORKERS_EXITED_EARLY = "WorkersExitedEarly";
    public static final String FRONTIER_DRAINED = "FrontierDrained";
    public static final String CRAWL_COMPLETED = "CrawlCompleted";
    public static final String SEEDS_NOT_FOUND = "SeedsNotFound";
    public static final String INVALID_SEEDS = "InvalidSeeds";
    public static final String INCONSISTENT_STATUS = "InconsistentStatus";
    /** Invariant: the store of discovered requests on the operator's volume is not behind the job's status. */
    public static final String FRONTIER_STORE_BEHIND = "FrontierStoreBehind";
    /** Invariant: a job whose status says Completing has every batch finished. */
    public static final String COMPLETING_WITH_WORK_LEFT = "CompletingWithWorkLeft";

    /** Invariant (Degraded): the bundle a job pinned is in the operator's bundle store, for its workers to sync. */
    public static final String PINNED_BUNDLE_MISSING = "PinnedBundleMissing";

    /** On Ready while Running or Completing: whether a worker pod is ready. No phase, no Event. */
    public static final String WORKERS_READY = "WorkersReady";
    public static final String WORKERS_NOT_READY = "WorkersNotReady";

    /** The Warning Event of a batch given up; no condition carries it. */
    public static final String BATCH_FAILED = "BatchFailed";

    /**
     * The Pending reasons only the user can end (a Spider to create or fix, seeds to provide): Stalled, not
     * Reconciling, for kstatus, and Degraded for the Argo CD health check of docs/gitops.md.
     */
    public static final Set<String> WAITING_FOR_USER = Set.of(SPIDER_NOT_FOUND, SPIDER_NOT_READY, SEEDS_NOT_FOUND);

    /** The reasons of a phase: on the condition that explains it, and on the Event of the phase change. */
    public static final Set<String> PHASE = Set.of(SPIDER_NOT_FOUND, SPIDER_NOT_READY, SPIDER_NOT_RECONCILED,
            WORKERS_STARTING, CRAWLING, SUSPENDED_BY_SPEC, WORKERS_FAILED, DEADLINE_EXCEEDED, WORKERS_EXITED_EARLY,
            FRONTIER_DRAINED, CRAWL_COMPLETED, SEEDS_NOT_FOUND, INVALID_SEEDS, INCONSISTENT_STATUS,
            FRONTIER_STORE_BEHIND, COMPLETING_WITH_WORK_LEFT);
    /** The reasons of the Degraded condition, and of the Event when it appears. */
    public static final Set<String> DEGRADED = Set.of(PINNED_BUNDLE_MISSING);
    /** The reasons only the Ready condition carries. */
    public static final Set<String> READY = Set.of(WORKERS_READY, WORKERS_NOT_READY);
    /** The reasons only an Event carries. */
    public static final Set<String> EVENT_ONLY = Set.of(BATCH_FAILED);

    private CrawlJobReasons() {
    }
}
