package io.kubecrawl.operator.system;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.Discovery;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.Lease;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.LocalKubelet;
import io.kubecrawl.operator.testing.LocalPod;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.upload.TestArchives;
import io.kubecrawl.protocol.CrawlJobName;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.commons.io.file.PathUtils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire picks it up only by name; benchmarks/link-following/bench.py runs it): the Kubecrawl
 * rows of the link-following benchmark, every one in this JVM, so that Maven and Quarkus start once
 * ({@code -Dlinkgraph.runs}, e.g. {@code 1:0,4:100,4:100:0.4,4:100::4} for workers:latency ms[:kill share[:max leases
 * per slot]]). Each run starts a
 * {@code LoopbackLinkGraphSite} process of its own, as bench.py does for the other crawlers, in
 * {@code -Dlinkgraph.work-dir}/kubecrawl-{workers}w-{latency}ms[-kill], and crawls it with one CrawlJob in a namespace
 * of its own, its links followed through the job's frontier ({@code spec.frontier.discovered: Frontier}, Host
 * partitioning), by WORKERS real worker processes played by {@link LocalKubelet} on the operator and mock API server of
 * this JVM (which the runs share). The Spider's bundle is benchmarks/link-following/kubecrawl-project with crawl.py,
 * so the workers run crawl.py's spider and settings.
 *
 * <p>With a kill share (0.4) the second worker pod's processes are SIGKILLed once the site has had that share of
 * {@code -Dlinkgraph.pages} (the site's size) fetches, as bench.py does to a scrapy-redis process (the kubelet then
 * replaces the pod, as a Job controller would).
 *
 * <p>It writes the job's items into the site's directory as {@code items-kubecrawl.jsonl}, for bench.py to count, and
 * {@code kubecrawl-result.json}: when the CrawlJob was created (epoch seconds), the CPU seconds of the worker
 * processes, those of this JVM (operator and mock API server together) over the crawl, and diagnostics (the batches
 * leased at once on average, lease expiries seen, the job's counters). It never asserts a time.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LinkGraphBenchmark {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORKER_JAR = REPOSITORY.resolve("worker-image/target/kubecrawl-worker.jar");
    private static final Path BENCH = REPOSITORY.resolve("benchmarks/link-following");
    /**
     * The CrawlJob's and Spider's name, short: it begins the pods' names, which name the agent's session socket in the
     * pod's /tmp, and a Unix socket's path has at most 107 bytes. Past that the agent runs one Scrapy process a batch.
     */
    private static final String JOB = "lg";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Linux's USER_HZ, the unit of utime and stime in /proc/PID/stat. */
    private static final double CLOCK_TICKS = 100.0;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    FrontierRegistry frontiers;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    @TestHTTPResource("/")
    URL api;

    @Test
    void crawl() throws Exception {
        String workProperty = System.getProperty("linkgraph.work-dir");
        Assumptions.assumeTrue(workProperty != null, "skipped: run by benchmarks/link-following/bench.py");
        Assumptions.assumeTrue(Files.isRegularFile(WORKER_JAR), "skipped: build the worker-image module first");
        Path work = Path.of(workProperty);
        int pages = Integer.getInteger("linkgraph.pages", 20000);
        Path classArchive = CrawlBenchmark.writeClassArchive();
        ClusterIdentities.install(server.getKubernetesMockServer());
        try {
            // WORKERS:LATENCY_MS[:KILL_AT], comma-separated: every run in this one JVM, so that Maven and Quarkus
            // start once. Each run has a site process of its own and a CrawlJob in a namespace of its own.
            for (String run : System.getProperty("linkgraph.runs", "1:0").split(",")) {
                String[] parts = run.strip().split(":");
                int workers = Integer.parseInt(parts[0]);
                int latencyMillis = Integer.parseInt(parts[1]);
                double killAt = parts.length > 2 && !parts[2].isEmpty() ? Double.parseDouble(parts[2]) : 0;
                int leasesPerSlot = parts.length > 3 ? Integer.parseInt(parts[3]) : Integer.getInteger(
                        "linkgraph.max-leases-per-slot", FrontierSpec.DEFAULT_MAX_LEASES_PER_SLOT);
                Path siteDir = work.resolve("kubecrawl-" + workers + "w-" + latencyMillis + "ms"
                        + (killAt > 0 ? "-kill" : "") + (parts.length > 3 ? "-" + leasesPerSlot + "leases" : ""));
                Process site = startSite(siteDir, pages, latencyMillis);
                try {
                    crawl(siteDir, site.pid(), workers, pages, killAt, leasesPerSlot, classArchive);
                } finally {
                    // SIGTERM: the site's hook writes stats.json.
                    site.destroy();
                    if (!site.waitFor(60, TimeUnit.SECONDS)) {
                        site.destroyForcibly();
                    }
                }
            }
        } finally {
            PathUtils.deleteDirectory(classArchive.getParent());
        }
    }

    /** The site as bench.py starts it for the other crawlers: a process of its own, from the test classes. */
    private static Process startSite(Path dir, int pages, int latencyMillis) throws Exception {
        Files.createDirectories(dir);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process site = new ProcessBuilder(java.toString(), "-cp", REPOSITORY.resolve("operator/target/test-classes")
                .toString(), "io.kubecrawl.operator.testing.LoopbackLinkGraphSite", "--hosts", "4", "--pages",
                Integer.toString(pages), "--latency-ms", Integer.toString(latencyMillis), "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("site.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(dir.resolve("site.json"))) {
            if (!site.isAlive() || System.nanoTime() > deadline) {
                site.destroyForcibly();
                throw new AssertionError("the site did not start; see " + dir.resolve("site.log"));
            }
            Thread.sleep(100);
        }
        return site;
    }

    private void crawl(Path siteDir, long sitePid, int workers, int pages, double killAt, int leasesPerSlot,
            Path classArchive)
            throws Exception {
        JsonNode site = JSON.readTree(siteDir.resolve("site.json").toFile());
        List<String> hosts = new ArrayList<>();
        site.get("hosts").forEach(host -> hosts.add(host.asText()));
        List<String> seeds = Files.readAllLines(siteDir.resolve("seeds.txt")).stream().filter(s -> !s.isBlank())
                .toList();
        URI stats = URI.create(site.get("statsUrl").asText());

        MockCluster cluster = new MockCluster(client, server.getKubernetesMockServer());
        createSpider(cluster, hosts);

        // In /tmp itself, whatever TMPDIR says, for the same reason as the job's short name.
        Path pods = Files.createTempDirectory(Path.of("/tmp"), "kc");
        Map<String, Object> result = new LinkedHashMap<>();
        CpuSampler sampler = new CpuSampler(sitePid);
        try (LocalKubelet kubelet = new LocalKubelet(cluster.client(), pods, WORKER_JAR, "localhost:" + grpcPort,
                LocalKubelet.env("KUBECRAWL_PYTHON_PATH", REPOSITORY.resolve("worker-image/src/main/python")
                        .toString())).withClassArchive(classArchive)) {
            CrawlJob crawlJob = new CrawlJob();
            crawlJob.setMetadata(new ObjectMetaBuilder().withName(JOB).withNamespace(cluster.namespace()).build());
            CrawlJobSpec spec = new CrawlJobSpec();
            spec.setSpiderRef(new SpiderReference(JOB));
            spec.setWorkers(workers);
            spec.setSeeds(seeds);
            FrontierSpec frontier = new FrontierSpec();
            // Per-host politeness, which the site's maxConcurrencyByHost checks: a host's requests in one slot, one
            // lease per slot (the default). 16 slots put the site's 4 hosts in 4 different slots.
            frontier.setPartitioning(Partitioning.Host);
            frontier.setSlots(Integer.getInteger("linkgraph.slots", 16));
            frontier.setBatchSize(Integer.getInteger("linkgraph.batch-size", FrontierSpec.DEFAULT_BATCH_SIZE));
            frontier.setMaxBatchesPerWorker(Integer.getInteger("linkgraph.max-batches-per-worker",
                    FrontierSpec.DEFAULT_MAX_BATCHES_PER_WORKER));
            frontier.setMaxLeasesPerSlot(leasesPerSlot);
            // A lost worker's batches come back after a lease: the default (120 s) would stop one host of four for
            // two minutes in the fault case. The worker renews every third of it.
            frontier.setLeaseSeconds(Integer.getInteger("linkgraph.lease-seconds", 15));
            frontier.setDiscovered(Discovery.Frontier);
            spec.setFrontier(frontier);
            crawlJob.setSpec(spec);
            result.put("settings", Map.of("workers", workers, "batchSize", frontier.getBatchSize(),
                    "maxBatchesPerWorker", frontier.getMaxBatchesPerWorker(), "maxLeasesPerSlot",
                    frontier.getMaxLeasesPerSlot(), "leaseSeconds", frontier.getLeaseSeconds(), "slots",
                    frontier.getSlots()));

            sampler.start();
            long operatorCpuBefore = processCpuNanos();
            result.put("launched", System.currentTimeMillis() / 1000.0);
            cluster.client().resource(crawlJob).create();
            Job job = cluster.awaitJob(JOB + "-workers", j -> true);
            kubelet.run(job);

            CrawlJobName name = new CrawlJobName(cluster.namespace(), JOB);
            LeaseWatch leases = new LeaseWatch();
            boolean killed = false;
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(Integer.getInteger("linkgraph.timeout-minutes",
                    30));
            CrawlJob done;
            while (true) {
                Thread.sleep(100);
                frontiers.find(name).ifPresent(leases::sample);
                if (killAt > 0 && !killed) {
                    int fetches = JSON.readTree(http.send(HttpRequest.newBuilder(stats).build(),
                            HttpResponse.BodyHandlers.ofString()).body()).get("fetches").asInt();
                    if (fetches >= killAt * pages && kubelet.pods().size() > 1) {
                        LocalPod victim = kubelet.pods().get(1);
                        long held = frontiers.find(name).map(f -> f.leases().stream()
                                .filter(l -> l.worker().equals(victim.name())).count()).orElse(0L);
                        victim.kill();
                        killed = true;
                        result.put("note", String.format("SIGKILL of pod %s's processes at %d fetches, holding %d "
                                + "lease(s); the kubelet replaces the pod", victim.name(), fetches, held));
                    }
                }
                CrawlJob current = cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace())
                        .withName(JOB).get();
                if (current.getStatus() != null && current.getStatus().getPhase() != null
                        && current.getStatus().getPhase().isFinished()) {
                    done = current;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the crawl did not finish in time; status " + JSON
                            .writeValueAsString(current.getStatus()) + diagnostics(kubelet));
                }
            }
            result.put("finished", System.currentTimeMillis() / 1000.0);
            result.put("operatorCpu", (processCpuNanos() - operatorCpuBefore) / 1e9);
            sampler.stop();
            result.put("crawlerCpu", sampler.seconds());
            result.put("phase", done.getStatus().getPhase().toString());
            result.put("status", JSON.valueToTree(done.getStatus()));
            result.put("meanBatchesLeased", leases.mean());
            result.put("maxBatchesLeased", leases.max);
            result.put("leasesReissued", leases.reissued());
            if (done.getStatus().getPhase() != CrawlJobPhase.Succeeded) {
                result.put("diagnostics", diagnostics(kubelet));
            }
            writeItems(cluster, siteDir.resolve("items-kubecrawl.jsonl"));
            keepPodLogs(kubelet, siteDir);
        } catch (Exception | AssertionError failed) {
            // Into the result, for bench.py to show next to the run's figures; the next runs still run.
            result.put("error", failed.toString());
        } finally {
            sampler.stop();
            Path out = siteDir.resolve("kubecrawl-result.json");
            Path part = siteDir.resolve("kubecrawl-result.json.part");
            JSON.writerWithDefaultPrettyPrinter().writeValue(part.toFile(), result);
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            PathUtils.deleteDirectory(pods);
        }
    }

    /** crawl.py's spider as an uploaded Scrapy project: kubecrawl-project with crawl.py at its root. */
    private void createSpider(MockCluster cluster, List<String> hosts) throws Exception {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName(JOB).withNamespace(cluster.namespace()).build());
        SpiderSpec spec = new SpiderSpec();
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage("kubecrawl/kubecrawl-worker:0.1.0");
        runtime.setCommand(List.of("scrapy", "crawl", "linkgraph"));
        runtime.setArgs(List.of("-a", "hosts=" + String.join(",", hosts)));
        spec.setRuntime(runtime);
        SpiderSource source = new SpiderSource();
        source.setUpload(new UploadSource());
        spec.setSource(source);
        spider.setSpec(spec);
        cluster.client().resource(spider).create();

        List<TestArchives.Entry> files = new ArrayList<>(TestArchives.directory(BENCH.resolve("kubecrawl-project")));
        files.add(TestArchives.file("crawl.py", Files.readAllBytes(BENCH.resolve("crawl.py")), 0644));
        URI upload = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/spiders/" + JOB + "/bundle");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(upload)
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN)
                .header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.tarGz(files))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("the upload of the spider failed: " + response.statusCode() + " "
                    + response.body());
        }
        cluster.awaitSpider(JOB, s -> s.getStatus() != null && s.getStatus().getBundle() != null
                && response.body().contains(s.getStatus().getBundle().getDigest()));
    }

    /** The job's items as the operator serves them, one JSON object a line, into the site's directory. */
    private void writeItems(MockCluster cluster, Path target) throws Exception {
        URI uri = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/crawljobs/" + JOB + "/items");
        HttpResponse<Path> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofFile(target));
        if (response.statusCode() != 200) {
            throw new AssertionError("the job's items: HTTP " + response.statusCode());
        }
    }

    /**
     * The pods' container logs into the site's directory, as pod-NAME.log: the pods' directory is deleted after the
     * run, and the agents' and Scrapy's lines are what tells where a batch's time went.
     */
    private static void keepPodLogs(LocalKubelet kubelet, Path siteDir) throws IOException {
        for (LocalPod pod : kubelet.pods()) {
            Files.writeString(siteDir.resolve("pod-" + pod.name() + ".log"), pod.output());
        }
    }

    private static String diagnostics(LocalKubelet kubelet) {
        StringBuilder text = new StringBuilder();
        for (LocalPod pod : kubelet.pods()) {
            String output = pod.output();
            text.append("\n--- pod ").append(pod.name()).append(" (last 4000 characters) ---\n")
                    .append(output, Math.max(0, output.length() - 4000), output.length());
        }
        return text.toString();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** How many batches the frontier had leased at once, and how often a batch was leased again (a lost lease). */
    private static final class LeaseWatch {
        private long samples;
        private long total;
        private int max;
        private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

        void sample(Frontier frontier) {
            List<Lease> leases = List.copyOf(frontier.leases());
            samples++;
            total += leases.size();
            max = Math.max(max, leases.size());
            for (Lease lease : leases) {
                attempts.merge(lease.batch().toString(), lease.attempt(), Math::max);
            }
        }

        double mean() {
            return samples == 0 ? 0 : (double) total / samples;
        }

        long reissued() {
            return attempts.values().stream().filter(a -> a > 1).count();
        }
    }

    /**
     * CPU seconds (user and system) of every process this JVM started, children and grandchildren: the pods' agents,
     * their Scrapy processes and shells. Sampled every 100 ms from /proc, each process's last figure kept, so a process
     * that exits or is killed between two samples loses at most 100 ms of CPU time.
     */
    private static final class CpuSampler {
        private final long excluded;
        private final Map<Long, Long> ticks = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        /** @param excluded a child not to count, with its own children: the site's process */
        CpuSampler(long excluded) {
            this.excluded = excluded;
        }

        void start() {
            running.set(true);
            thread = new Thread(() -> {
                while (running.get()) {
                    sample();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cpu-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            ProcessHandle.current().children().filter(child -> child.pid() != excluded)
                    .flatMap(child -> Stream.concat(Stream.of(child), child.descendants())).forEach(process -> {
                Optional<Long> used = ticksOf(process.pid());
                used.ifPresent(t -> ticks.merge(process.pid(), t, Math::max));
            });
        }

        private static Optional<Long> ticksOf(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
                // After the command name in brackets (which may hold spaces): state is field 3, utime 14, stime 15.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Optional.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            } catch (IOException | RuntimeException gone) {
                return Optional.empty();
            }
        }

        void stop() {
            if (running.getAndSet(false)) {
                sample();
                thread.interrupt();
            }
        }

        double seconds() {
            return ticks.values().stream().mapToLong(Long::longValue).sum() / CLOCK_TICKS;
        }
    }
}
