package io.kubecrawl.operator.frontier;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.kubecrawl.protocol.CrawlJobName;

/**
 * The frontiers of the jobs this operator runs, built from each job's status by its reconciler. A job whose frontier
 * is not here yet (right after a restart) is not ready for workers, and they are told to come back.
 */
@Singleton
public class FrontierRegistry implements FrontierLookup {

    /** A job's frontier, and the uid of the CrawlJob it belongs to: a recreated job of the same name starts anew. */
    private record Entry(String uid, Frontier frontier) {
    }

    private final Map<CrawlJobName, Entry> frontiers = new ConcurrentHashMap<>();
    private final java.util.Set<CrawlJobName> finished = ConcurrentHashMap.newKeySet();

    /**
     * Makes {@code frontier}, rebuilt from the status of the CrawlJob with {@code uid}, the job's frontier: it replaces
     * one an earlier job of the same name left, and the job is no longer finished.
     */
    public void register(CrawlJobName job, String uid, Frontier frontier) {
        finished.remove(job);
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
