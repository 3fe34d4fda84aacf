package io.kubecrawl.operator.system;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.kubecrawl.operator.frontier.FrontierThroughput;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.LocalKubelet;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.upload.TestArchives;
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
 * Benchmark, not a test (surefire does not pick it up by name; benchmarks/crawl/run.sh runs it): pages per second
 * of the whole system with 1, 2 and 4 worker processes against the loopback site, plain {@code scrapy crawl} over the
 * same URLs in one process, the agent's overhead per batch, and the frontier's lease+complete rate; then the same
 * crawls against the site answering after a delay, as a remote site does. Prints figures.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlBenchmark {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Path WORKER_JAR = REPOSITORY.resolve("worker-image/target/kubecrawl-worker.jar");
    private static final List<String> FAST = List.of("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "CONCURRENT_REQUESTS=16", "-s", "LOG_LEVEL=WARNING");
    private static final int HOSTS = 4;
    /**
     * Pages per host, 3,200 pages in all: enough that what every crawl pays once (worker processes, JVMs and Scrapy
     * starting together on the machine's cores) weighs little on the comparison, as on a real crawl. Set
     * {@code -Dcrawl-benchmark.pages-per-host} to compare with a shorter crawl.
     */
    private static final int PAGES_PER_HOST = Integer.getInteger("crawl-benchmark.pages-per-host", 800);
    /** Where the seeds of the quotes crawls are, in the Spider's bundle: thousands of URLs do not fit a CrawlJob. */
    private static final String SEEDS_FILE = "kubecrawl-seeds.txt";
    /** Batches a worker holds: with 2, its Scrapy session starts the next batch while the last one finishes. */
    private static final int MAX_BATCHES_PER_WORKER = 2;
    /** A remote site's answer time, for the variant that is not CPU-bound. */
    private static final Duration SITE_LATENCY = Duration.ofMillis(500);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @ConfigProperty(name = "quarkus.grpc.server.test-port")
    int grpcPort;

    /** The operator's HTTP API, for the bundle uploads. */
    @TestHTTPResource("/")
    URL api;

    /** The class data sharing archive the image builds for the worker jar, written once for all the crawls. */
    private Path classArchive;

    @Test
    void measure() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(WORKER_JAR), "skipped: build the worker-image module first");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/scrapy")), "skipped: no /usr/bin/scrapy");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/time")), "skipped: no /usr/bin/time");
        List<String> report = new ArrayList<>();
        classArchive = writeClassArchive();
        ClusterIdentities.install(server.getKubernetesMockServer());
        // CPU-bound: the loopback site answers at once, so every process competes for the machine's cores.
        try (LoopbackQuotesSite site = new LoopbackQuotesSite(HOSTS, PAGES_PER_HOST, 20)) {
            measureWorkers(site, "", report);
            int batches = 100;
            List<String> urls = IntStream.range(0, batches).mapToObj(i -> "http://127.0.0.1/" + i).toList();
            double overhead = crawlSeconds(urls, 1, 1, 1, "noop", List.of());
            report.add(String.format("agent overhead: %d one-request batches of a no-op spider in %.2f s = %.0f ms "
                    + "per batch (lease, files, process start, complete, checkpoint)", batches, overhead,
                    overhead * 1000 / batches));
            List<String> pages = site.pageUrls().subList(0, batches);
            double session = crawlSeconds(pages, 1, 1, 1, "quotes", FAST);
            report.add(String.format("agent overhead, scrapy session: %d one-page batches in one Scrapy process in "
                    + "%.2f s = %.0f ms per batch (lease, files, crawl of one page, complete, checkpoint)", batches,
                    session, session * 1000 / batches));
        }
        // The same crawl against a site that takes its time to answer, as remote sites do.
        try (LoopbackQuotesSite site = new LoopbackQuotesSite(HOSTS, PAGES_PER_HOST, 20, SITE_LATENCY)) {
            measureWorkers(site, String.format(" [site latency %d ms]", SITE_LATENCY.toMillis()), report);
        }
        System.out.println("==== kubecrawl crawl benchmark ====");
        report.forEach(System.out::println);
        FrontierThroughput.main(new String[] {"8"});
    }

    /**
     * Plain Scrapy, then 1, 2 and 4 workers, over every page of the site; and 1 worker holding one batch at a time, for
     * what the overlap of batches in a session gains.
     */
    private void measureWorkers(LoopbackQuotesSite site, String variant, List<String> report) throws Exception {
        int pages = site.pageUrls().size();
        PlainRun plainRun = plainScrapy(site.pageUrls());
        double plain = plainRun.seconds();
        report.add(String.format("plain scrapy, 1 process:  %d pages in %6.2f s = %7.1f pages/s, using %.2f of the "
                + "machine's %d cores%s", pages, plain, pages / plain, plainRun.cpuSeconds() / plain,
                Runtime.getRuntime().availableProcessors(), variant));
        double oneAtATime = crawlSeconds(site.pageUrls(), 1, 50, 1, "quotes", FAST);
        report.add(String.format("kubecrawl, 1 worker, maxBatchesPerWorker 1: %d pages in %6.2f s = %7.1f pages/s "
                + "(x%.2f of plain scrapy)%s", pages, oneAtATime, pages / oneAtATime, plain / oneAtATime, variant));
        double one = 0;
        for (int workers : List.of(1, 2, 4)) {
            double seconds = crawlSeconds(site.pageUrls(), workers, 50, MAX_BATCHES_PER_WORKER, "quotes", FAST);
            if (workers == 1) {
                one = seconds;
            }
            report.add(String.format("kubecrawl, %d worker(s), maxBatchesPerWorker %d: %d pages in %6.2f s = %7.1f "
                    + "pages/s (x%.2f of 1 worker, x%.2f of plain scrapy)%s", workers, MAX_BATCHES_PER_WORKER, pages,
                    seconds, pages / seconds, one / seconds, plain / seconds, variant));
        }
    }

    private double crawlSeconds(List<String> seeds, int workers, int batchSize, int maxBatchesPerWorker,
            String spiderKind, List<String> args) throws Exception {
        MockCluster cluster = new MockCluster(client, server.getKubernetesMockServer());
        Path pods = Files.createTempDirectory("kubecrawl-bench");
        try (LocalKubelet kubelet = new LocalKubelet(cluster.client(), pods, WORKER_JAR, "localhost:" + grpcPort,
                LocalKubelet.env("KUBECRAWL_PYTHON_PATH", REPOSITORY.resolve("worker-image/src/main/python")
                        .toString())).withClassArchive(classArchive)) {
            CrawlJob crawlJob = new CrawlJob();
            crawlJob.setMetadata(new ObjectMetaBuilder().withName("bench").withNamespace(cluster.namespace()).build());
            CrawlJobSpec spec = new CrawlJobSpec();
            spec.setSpiderRef(new SpiderReference("quotes"));
            spec.setWorkers(workers);
            if (spiderKind.equals("noop")) {
                createNoopSpider(cluster);
                spec.setSeeds(seeds);
            } else {
                createQuotesSpider(cluster, args, seeds);
                spec.setSeedsFrom(SeedsSource.bundleFile(SEEDS_FILE));
            }
            FrontierSpec frontier = new FrontierSpec();
            frontier.setPartitioning(Partitioning.Url);
            frontier.setSlots(16);
            frontier.setBatchSize(batchSize);
            frontier.setMaxBatchesPerWorker(maxBatchesPerWorker);
            spec.setFrontier(frontier);
            crawlJob.setSpec(spec);
            long start = System.nanoTime();
            cluster.client().resource(crawlJob).create();
            Job job = cluster.awaitJob("bench-workers", j -> true);
            kubelet.run(job);
            CrawlJob done = cluster.awaitCrawlJob("bench", c -> c.getStatus() != null
                    && c.getStatus().getPhase() == CrawlJobPhase.Succeeded, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (done.getStatus().getBatches().getFailed() > 0) {
                throw new AssertionError("batches failed: " + done.getStatus().getSlots());
            }
            return seconds;
        } finally {
            PathUtils.deleteDirectory(pods);
        }
    }

    private void createNoopSpider(MockCluster cluster) {
        cluster.configMap("noop", Map.of("README", "a spider that does nothing\n"));
        Spider spider = cluster.spider("quotes", MockCluster.configMapSource("noop"));
        spider.getSpec().getRuntime().setCommand(List.of("sh", "-c", "true"));
        cluster.client().resource(spider).update();
        cluster.awaitSpider("quotes", s -> s.getStatus() != null && s.getStatus().getBundle() != null
                && s.getStatus().getObservedGeneration().equals(s.getMetadata().getGeneration()));
    }

    /**
     * The example's quotes spider, its project uploaded with the seeds as one more file: an upload, unlike a
     * ConfigMap or a CrawlJob, has room for thousands of seeds.
     */
    private void createQuotesSpider(MockCluster cluster, List<String> args, List<String> seeds) throws Exception {
        try (InputStream yaml = Files.newInputStream(REPOSITORY.resolve("examples/quotes/spider.yaml"))) {
            Spider spider = cluster.client().resources(Spider.class).load(yaml).item();
            spider.getMetadata().setNamespace(cluster.namespace());
            spider.getSpec().getRuntime().setArgs(args);
            SpiderSource source = new SpiderSource();
            source.setUpload(new UploadSource());
            spider.getSpec().setSource(source);
            cluster.client().resource(spider).create();
        }
        List<TestArchives.Entry> files = new ArrayList<>(TestArchives.directory(REPOSITORY.resolve("examples/quotes/project")));
        files.add(TestArchives.file(SEEDS_FILE, String.join("\n", seeds) + "\n"));
        URI upload = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/spiders/quotes/bundle");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(upload)
                .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN)
                .header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.tarGz(files))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("the upload of the quotes project failed: " + response.statusCode() + " "
                    + response.body());
        }
        cluster.awaitSpider("quotes", s -> s.getStatus() != null && s.getStatus().getBundle() != null
                && response.body().contains(s.getStatus().getBundle().getDigest()));
    }

    /** Writes the archive with the script the Dockerfile runs, and the {@code java} the pods find on their PATH. */
    static Path writeClassArchive() throws Exception {
        Path archive = Files.createTempDirectory("kubecrawl-bench-archive").resolve("kubecrawl-worker.jsa");
        ProcessBuilder builder = new ProcessBuilder("sh",
                REPOSITORY.resolve("worker-image/src/main/sh/kubecrawl-worker-class-archive").toString(),
                WORKER_JAR.toString(), archive.toString()).inheritIO();
        builder.environment().put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("could not write the class archive " + archive);
        }
        return archive;
    }

    /** A plain Scrapy crawl: how long it took, and the CPU time (user and system) it used. */
    private record PlainRun(double seconds, double cpuSeconds) {
    }

    /**
     * Runs plain Scrapy under {@code /usr/bin/time}, whose CPU figure says how much of the machine one Scrapy process
     * takes: several workers cannot crawl faster together than the machine's cores let them.
     */
    private static PlainRun plainScrapy(List<String> urls) throws Exception {
        Path project = REPOSITORY.resolve("examples/quotes/project");
        Path items = Files.createTempFile("plain-scrapy", ".jsonl");
        Path cpu = Files.createTempFile("plain-scrapy", ".cpu");
        try {
            // One argument holds every URL: Linux takes at most 128 KiB in one, about 3,800 of these URLs.
            List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o", cpu.toString(),
                    "/usr/bin/scrapy", "crawl", "quotes", "-a", "start_urls=" + String.join(",", urls),
                    "-O", items + ":jsonlines"));
            command.addAll(FAST);
            long start = System.nanoTime();
            Process process = new ProcessBuilder(command).directory(project.toFile()).inheritIO().start();
            // Waits for the exit itself, not by polling: the time measured is the process's own.
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("plain scrapy did not exit within 10 minutes");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (process.exitValue() != 0) {
                throw new AssertionError("plain scrapy exited " + process.exitValue());
            }
            String[] userAndSystem = Files.readString(cpu).strip().split(" ");
            return new PlainRun(seconds, Double.parseDouble(userAndSystem[0]) + Double.parseDouble(userAndSystem[1]));
        } finally {
            Files.deleteIfExists(items);
            Files.deleteIfExists(cpu);
        }
    }
}
