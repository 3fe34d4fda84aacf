package io.kubecrawl.operator.frontier;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import io.kubecrawl.crd.v1alpha1.Partitioning;

/**
 * Benchmark, not a test: lease+complete operations per second on one in-process frontier, with several worker
 * threads calling at once as gRPC handlers would. Run by benchmarks/crawl/run.sh; prints its figures.
 */
public final class FrontierThroughput {

    private FrontierThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seeds = 200_000;
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        List<SeedRequest> requests = IntStream.range(0, seeds)
                .mapToObj(i -> "http://host" + (i % 500) + ".test/page/" + i)
                .map(url -> new SeedRequest(url, url)).toList();
        for (int round = 0; round < 3; round++) {
            Frontier frontier = Frontier.fresh(FrontierLayout.of(requests, Partitioning.Host, 256, 10),
                    new FrontierSettings(1, Duration.ofMinutes(5), 3, Duration.ofMillis(10)));
            long start = System.nanoTime();
            Thread[] threads = new Thread[workers];
            long[] operations = new long[workers];
            for (int w = 0; w < workers; w++) {
                int index = w;
                threads[w] = new Thread(() -> {
                    String name = "worker-" + index;
                    while (true) {
                        LeaseOutcome outcome = frontier.lease(name, Instant.now());
                        if (frontier.isDrained()) {
                            return;
                        }
                        if (outcome instanceof LeaseOutcome.Granted granted) {
                            frontier.complete(granted.lease().batch(), name, Instant.now());
                            operations[index]++;
                        }
                    }
                });
                threads[w].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = java.util.Arrays.stream(operations).sum();
            System.out.printf("frontier round %d: %d batches leased+completed by %d threads in %.2f s = %.0f "
                    + "lease+complete/s%n", round + 1, total, workers, seconds, total / seconds);
        }
    }
}
