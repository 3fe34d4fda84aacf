package io.kubecrawl.operator.frontier.discovered;

import static io.kubecrawl.operator.frontier.discovered.TestRequests.request;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * Run by {@link DiscoveredStoreCrashTest} in a JVM of its own: commits completions, cuts batches, checkpoints, commits
 * some more, prints what it did, and halts without closing the store (no shutdown hooks, no flush), as a killed
 * operator would.
 */
public final class CommitThenHalt {

    static final JobKey JOB = JobKey.of("crawls", "books", "5e0c7d2a-0000-4a4a-8b8b-00000000c0de");

    private CommitThenHalt() {
    }

    public static void main(String[] args) {
        DiscoveredRequestStore store = DiscoveredRequestStore.open(Path.of(args[0]));
        for (int batch = 0; batch < 40; batch++) {
            commit(store, batch);
        }
        DiscoveredBatch first = store.cutBatch(JOB, 0, 25).orElseThrow();
        DiscoveredBatch second = store.cutBatch(JOB, 1, 25).orElseThrow();
        store.cutBatch(JOB, 0, 25).orElseThrow();
        store.commitCompletion(JOB, first.id(), List.of(), CrawlScope.UNLIMITED, TestRequests.byHost(2));
        System.out.println("checkpointed " + store.checkpoint(JOB).commitSequence());
        for (int batch = 40; batch < 50; batch++) {
            commit(store, batch);
        }
        System.out.println("open " + second.id().number());
        System.out.println("counts " + store.counts(JOB));
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    /** 20 requests on two hosts; after the first batch, five are links back to the last batch's (duplicates). */
    private static void commit(DiscoveredRequestStore store, int batch) {
        List<DiscoveredRequest> requests = IntStream.range(0, 20)
                .mapToObj(i -> i < 5 && batch > 0 ? page(batch - 1, 15 + i) : page(batch, i)).toList();
        store.commitCompletion(JOB, new BatchId(0, batch), requests, CrawlScope.UNLIMITED, TestRequests.byHost(2));
    }

    private static DiscoveredRequest page(int batch, int i) {
        return request("https://" + (i % 2 == 0 ? "a" : "b") + ".test/" + batch + "/" + i);
    }
}
