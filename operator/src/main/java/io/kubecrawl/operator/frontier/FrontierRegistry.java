package io.kubecrawl.operator.frontier;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The frontiers of the jobs this operator runs, built from each job's status by its reconciler. A job whose frontier
 * is not here yet (right after a restart) is not ready for workers, and they are told to come back.
 */
@Singleton
public class FrontierRegistry implements FrontierLookup {

    /** A job's frontier, and the uid of the CrawlJob it belongs to: a recreated job of the same name starts anew. */
    private record Entry(String uid, Frontier frontier) {
    }

    /** Leases re-established on Renew: {@code kubecrawl_leases_reestablished_total}. */
    public static final String REESTABLISHED_METRIC = "kubecrawl.leases.reestablished";
    /** Batches leased again after a restart: {@code kubecrawl_restart_batches_leased_again_total}. */
    public static final String LEASED_AGAIN_METRIC = "kubecrawl.restart.batches.leased.again";

    private final Map<CrawlJobName, Entry> frontiers = new ConcurrentHashMap<>();
    private final Set<CrawlJobName> finished = ConcurrentHashMap.newKeySet();
    private final Frontier.RestartListener meters;

    public FrontierRegistry(MeterRegistry meters) {
        Counter reestablished = Counter.builder(REESTABLISHED_METRIC)
                .description("Leases workers got back by presenting their batch on Renew, after an operator restart "
                        + "or a lapsed lease: batches not run twice")
                .register(meters);
        Counter leasedAgain = Counter.builder(LEASED_AGAIN_METRIC)
                .description("Batches leased to another worker after an operator restart because nobody presented "
                        + "them in the grace period (estimated from the leases of the last checkpoint)")
                .register(meters);
        this.meters = new Frontier.RestartListener() {
            @Override
            public void leaseReestablished() {
                reestablished.increment();
            }

            @Override
            public void leasedAgainAfterRestart() {
                leasedAgain.increment();
            }
        };
    }

    /**
     * Makes {@code frontier}, rebuilt from the status of the CrawlJob with {@code uid}, the job's frontier: it replaces
     * one an earlier job of the same name left, and the job is no longer finished.
     */
    public void register(CrawlJobName job, String uid, Frontier frontier) {
        finished.remove(job);
        frontier.setRestartListener(meters);
        frontiers.put(job, new Entry(uid, frontier));
    }

    public Optional<Frontier> find(CrawlJobName job) {
        return Optional.ofNullable(frontiers.get(job)).map(Entry::frontier);
    }

    @Override
    public Optional<Frontier> find(CrawlJobName job, String uid) {
        return Optional.ofNullable(frontiers.get(job)).filter(entry -> entry.uid().equals(uid)).map(Entry::frontier);
    }

    /**
     * Drops a finished job's frontier; its workers still asking for work are told it is drained. Only the name is
     * kept, so finished jobs cost no memory to speak of.
     */
    public void markFinished(CrawlJobName job) {
        finished.add(job);
        frontiers.remove(job);
    }

    /**
     * Drops the job's frontier if it belongs to the CrawlJob of that uid: the frontier of a job whose recovery did not
     * complete, so that its workers wait until a reconcile of the job succeeds and rebuilds it.
     */
    public void forget(CrawlJobName job, String uid) {
        frontiers.computeIfPresent(job, (name, entry) -> entry.uid().equals(uid) ? null : entry);
    }

    /**
     * Forgets every frontier, as a restarted operator starts without them: each is rebuilt from its job's status on
     * the job's next reconcile, and until then its workers are told to come back.
     */
    public void forgetAll() {
        frontiers.clear();
        finished.clear();
    }

    public boolean isFinished(CrawlJobName job) {
        return finished.contains(job);
    }

    /**
     * What the registry holds, by job: the uid of each job's frontier, and the finished jobs' names. A collection of
     * deleted jobs takes it before it lists the jobs, so that everything in it belongs to a job the list shows unless
     * the job was deleted.
     */
    public record Holdings(Map<CrawlJobName, String> frontiers, Set<CrawlJobName> finished) {
    }

    public Holdings holdings() {
        Map<CrawlJobName, String> uids = new HashMap<>();
        frontiers.forEach((job, entry) -> uids.put(job, entry.uid()));
        return new Holdings(uids, Set.copyOf(finished));
    }

    /**
     * Drops what {@code before} held of jobs that no longer exist: the frontiers of deleted CrawlJobs (by uid, so the
     * frontier of a job created again under the name stays) and the names of deleted finished ones. A job deleted
     * while it ran is not reconciled again, so nothing else would free its frontier.
     *
     * @return the jobs whose frontier was dropped
     */
    public Set<CrawlJobName> dropDeleted(Holdings before, Set<CrawlJobName> existingNames, Set<String> existingUids) {
        Set<CrawlJobName> dropped = new HashSet<>();
        before.frontiers().forEach((job, uid) -> {
            if (!existingUids.contains(uid)) {
                frontiers.computeIfPresent(job, (name, entry) -> {
                    if (!entry.uid().equals(uid)) {
                        return entry;
                    }
                    dropped.add(job);
                    return null;
                });
            }
        });
        before.finished().stream().filter(job -> !existingNames.contains(job)).forEach(finished::remove);
        return dropped;
    }
}
