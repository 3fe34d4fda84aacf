package io.kubecrawl.operator.frontier;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import io.kubecrawl.protocol.CrawlJobName;

/**
 * The frontiers of the jobs this operator runs, built from each job's status by its reconciler. A job whose frontier
 * is not here yet (right after a restart) is not ready for workers, and they are told to come back.
 */
@Singleton
public class FrontierRegistry {

    /** A job's frontier, and the uid of the CrawlJob it belongs to: a recreated job of the same name starts anew. */
    private record Entry(String uid, Frontier frontier) {
    }

    private final Map<CrawlJobName, Entry> frontiers = new ConcurrentHashMap<>();
    private final java.util.Set<CrawlJobName> finished = ConcurrentHashMap.newKeySet();

    /** The job's frontier, built by {@code restore} when it has none yet or had one for an earlier job. */
    public Frontier getOrRestore(CrawlJobName job, String uid, Supplier<Frontier> restore) {
        finished.remove(job);
        return frontiers.compute(job, (name, entry) -> entry != null && entry.uid().equals(uid) ? entry
                : new Entry(uid, restore.get())).frontier();
    }

    public Optional<Frontier> find(CrawlJobName job) {
        return Optional.ofNullable(frontiers.get(job)).map(Entry::frontier);
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
}
