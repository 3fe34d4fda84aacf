package io.kubecrawl.operator.frontier.discovered;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.google.protobuf.ByteString;
import com.sun.management.GarbageCollectionNotificationInfo;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.protocol.v1.DiscoveredRequest;

/**
 * Benchmark, not a test: one job's discovered requests through the store, at the scale of a large crawl. Run by
 * benchmarks/frontier/run.sh; prints its figures.
 *
 * <ol>
 *   <li>add: {@code urls} requests (default 10,000,000) on {@code hosts} hosts (100), in completions of
 *       {@code batch} (100), of which about {@code duplicates} (30 %) repeat a URL sent before, chosen at random
 *       among all earlier ones (so lookups hit the whole deduplication set, not a recent window);</li>
 *   <li>lease: batches of {@code batch} cut from every slot in turn until all are empty (each cut fsynced);</li>
 *   <li>complete: each cut batch's completion committed, with no new requests.</li>
 * </ol>
 * With {@code drain=false} it stops after adding (and prints no heap figures).
 *
 * <p>Rates count only the time inside the store's calls: building requests and SHA-1 fingerprints is left out.
 * Heap, for a store whose data and caches are off the heap: the most in use right after a collection (what is really
 * held), the sum of the heap pools' peaks (garbage included, so mostly the young generation's size) and the GC time.
 * RSS: the process's peak resident set, which includes RocksDB's block cache and memtables.
 */
public final class DiscoveredStoreBenchmark {

    private static final AtomicLong LIVE_AFTER_COLLECTION = new AtomicLong();
    private static final JobKey JOB = JobKey.of("bench", "large-crawl", "b3c1d0e0-0000-4000-8000-000000000001");

    private DiscoveredStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        long urls = Long.getLong("urls", 10_000_000);
        int hosts = Integer.getInteger("hosts", 100);
        int slots = Integer.getInteger("slots", 32);
        int batchSize = Integer.getInteger("batch", 100);
        double duplicates = Double.parseDouble(System.getProperty("duplicates", "0.3"));
        System.out.printf("%,d requests on %d hosts in %d slots, completions and batches of %d, %.0f %% duplicates%n",
                urls, hosts, slots, batchSize, duplicates * 100);

        watchCollections();
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        SplittableRandom random = new SplittableRandom(42);
        try (DiscoveredRequestStore store = DiscoveredRequestStore.open(directory)) {
            // Add.
            long pages = 0;
            long inStore = 0;
            // The machine may be shared: the commit thread's own CPU time in the store's calls, and the whole
            // process's (RocksDB's flush and compaction threads included), say what the store costs whatever the load.
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuInStore = 0;
            long processCpuBefore = processCpuNanos();
            int completion = 0;
            long started = System.nanoTime();
            List<DiscoveredRequest> requests = new ArrayList<>(batchSize);
            for (long sent = 0; sent < urls; sent++) {
                long page = pages > 0 && random.nextDouble() < duplicates ? random.nextLong(pages) : pages++;
                requests.add(request(sha1, hosts, page, random));
                if (requests.size() == batchSize || sent == urls - 1) {
                    long before = System.nanoTime();
                    long cpuBefore = threads.getCurrentThreadCpuTime();
                    store.commitCompletion(JOB, new BatchId(0, completion++), requests, CrawlScope.UNLIMITED,
                            request -> (int) (hostOf(request) % slots));
                    inStore += System.nanoTime() - before;
                    cpuInStore += threads.getCurrentThreadCpuTime() - cpuBefore;
                    requests.clear();
                    if (completion % 10_000 == 0) {
                        System.out.printf("  %,d sent, %,.0f requests/s in the store (%,.0f per CPU second of the "
                                + "committing thread); load average %s%n", sent + 1, (sent + 1) / (inStore / 1e9),
                                (sent + 1) / (cpuInStore / 1e9), loadAverage());
                    }
                }
            }
            long checkpointStart = System.nanoTime();
            DiscoveredCounts added = store.checkpoint(JOB);
            double checkpointMillis = (System.nanoTime() - checkpointStart) / 1e6;
            double addWall = (System.nanoTime() - started) / 1e9;
            System.out.printf("add+dedup: %,d requests in %.1f s in the store (%.1f s with generation): %,.0f "
                    + "requests/s, %,.0f completions/s; checkpoint fsync %.1f ms%n", urls, inStore / 1e9, addWall,
                    urls / (inStore / 1e9), completion / (inStore / 1e9), checkpointMillis);
            System.out.printf("  CPU: the committing thread %.1f s in the store = %,.0f requests per CPU second; the "
                    + "process %.1f s while adding (RocksDB's flushes and compactions included, generation too); "
                    + "load average %s%n", cpuInStore / 1e9, urls / (cpuInStore / 1e9),
                    (processCpuNanos() - processCpuBefore) / 1e9, loadAverage());
            System.out.println("  counts " + added);
            System.out.printf("  disk after adding: %s%n", megabytes(size(directory)));

            if (!Boolean.parseBoolean(System.getProperty("drain", "true"))) {
                // drain=false: the add phase alone, for trying a change quickly at 1-2 M requests.
                return;
            }

            // Lease.
            List<BatchId> cut = new ArrayList<>();
            long leased = 0;
            started = System.nanoTime();
            boolean any = true;
            while (any) {
                any = false;
                for (int slot : store.queuedBySlot(JOB).keySet()) {
                    Optional<DiscoveredBatch> batch = store.cutBatch(JOB, slot, batchSize);
                    if (batch.isPresent()) {
                        cut.add(batch.get().id());
                        leased += batch.get().requests().size();
                        any = true;
                    }
                }
            }
            double leaseSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("lease: %,d batches (%,d requests) cut in %.1f s: %,.0f batches/s, %,.0f requests/s "
                    + "(each cut fsynced)%n", cut.size(), leased, leaseSeconds, cut.size() / leaseSeconds,
                    leased / leaseSeconds);

            // Complete.
            started = System.nanoTime();
            for (BatchId id : cut) {
                store.commitCompletion(JOB, id, List.of(), CrawlScope.UNLIMITED, request -> 0);
            }
            store.checkpoint();
            double completeSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("complete: %,d batch completions in %.1f s: %,.0f completions/s%n", cut.size(),
                    completeSeconds, cut.size() / completeSeconds);
            DiscoveredCounts counts = store.counts(JOB);
            System.out.println("  counts " + counts);
            System.out.printf("  disk after draining: %s%n", megabytes(size(directory)));
            if (counts.done() != added.queued() || counts.queued() != 0 || counts.leased() != 0) {
                throw new IllegalStateException("requests went missing: added " + added + ", now " + counts);
            }
        }
        System.out.printf("disk after close: %s%n", megabytes(size(directory)));
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        long gcMillis = 0;
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcs += Math.max(0, gc.getCollectionCount());
        }
        System.out.printf("heap: at most %s live after a collection; peak %s of max %s (sum of the heap pools' "
                + "peaks, garbage included); %,d collections in %,d ms; peak RSS %s%n",
                megabytes(LIVE_AFTER_COLLECTION.get()), megabytes(peakHeap),
                megabytes(Runtime.getRuntime().maxMemory()), gcs, gcMillis, peakRss());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Records the heap in use after each collection: what the program really holds, unlike the pools' peaks. */
    private static void watchCollections() {
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    long live = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                            .getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(pool -> heapPools.contains(pool.getKey()))
                            .mapToLong(pool -> pool.getValue().getUsed()).sum();
                    LIVE_AFTER_COLLECTION.accumulateAndGet(live, Math::max);
                }
            }, null, null);
        }
    }

    private static DiscoveredRequest request(MessageDigest sha1, int hosts, long page, SplittableRandom random) {
        String url = "https://host" + (page % hosts) + ".bench.test/catalogue/page-" + page + ".html";
        return DiscoveredRequest.newBuilder()
                .setUrl(url)
                .setFingerprint(ByteString.copyFrom(sha1.digest(url.getBytes(StandardCharsets.UTF_8))))
                .setPriority(random.nextInt(3))
                .setDepth(2)
                .setReferrer("https://host" + (page % hosts) + ".bench.test/")
                .setRequest("{\"url\": \"" + url + "\", \"method\": \"GET\", \"callback\": \"parse_page\", "
                        + "\"meta\": {\"depth\": 2}}")
                .build();
    }

    private static long hostOf(DiscoveredRequest request) {
        String url = request.getUrl();
        return Long.parseLong(url.substring("https://host".length(), url.indexOf('.')));
    }

    private static long size(Path directory) throws IOException {
        // RocksDB's directory is flat, and deletes compacted files while this runs: File.length is 0 for a file gone
        // meanwhile, where Files.walk threw NoSuchFileException (the 10 M run ended on one, before the heap's figures).
        java.io.File[] files = directory.toFile().listFiles();
        long bytes = 0;
        for (java.io.File file : files == null ? new java.io.File[0] : files) {
            bytes += file.length();
        }
        return bytes;
    }

    private static String megabytes(long bytes) {
        return String.format("%,.1f MiB", bytes / 1048576.0);
    }

    private static String peakRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return "unknown";
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("VmHWM:"))
                .map(line -> line.substring("VmHWM:".length()).trim()).findFirst().orElse("unknown");
    }
}
