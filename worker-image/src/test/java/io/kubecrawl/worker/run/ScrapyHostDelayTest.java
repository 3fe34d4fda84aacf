package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.WorkerEnvironment;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.OperatorTrust;
import io.kubecrawl.worker.TokenSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's minimum host delay for real: Debian's Scrapy runs a spider that asks for no delay at all (its own
 * {@code download_delay = 0}, {@code -s DOWNLOAD_DELAY=0}, randomised delays, 8 requests per host at once, AutoThrottle
 * on) on a batch of two hosts' pages, with the environment the agent builds ({@link SpiderEnvironment}), and the site
 * measures the time between two requests to one host as they arrive.
 */
class ScrapyHostDelayTest {
    private static final int PAGES_PER_HOST = 6;
    /**
     * What the site's clock may see less than Scrapy's: the time from Scrapy's downloader starting a request to the
     * site's handler thread noting it varies from request to request, by a few ms on an idle machine and by up to
     * some 90 ms on a 2-core machine at load 15 (measured: gaps of 358 then 214 ms for a 300 ms minimum, 572 ms for
     * the two). Without the minimum the same spider's gaps are 0 to 12 ms, so the check still tells the two apart.
     * A host's first request also sets up Scrapy's HTTP client for it, which made it arrive up to 140 ms late (a
     * first gap of 362 ms for Scrapy's own 500 ms delay): the checks start at the second request.
     */
    private static final long TRANSPORT_JITTER_MILLIS = 100;
    /** Settings that make Scrapy send a host's requests as fast as it can. */
    private static final List<String> NO_DELAY = List.of("-s", "DOWNLOAD_DELAY=0", "-s",
            "RANDOMIZE_DOWNLOAD_DELAY=True", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s",
            "AUTOTHROTTLE_ENABLED=True", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "AUTOTHROTTLE_MAX_DELAY=0.01");
    private static final String SPIDER = """
            import scrapy


            class PagesSpider(scrapy.Spider):
                name = "pages"
                download_delay = 0

                def parse(self, response):
                    yield {"url": response.url}
            """;

    @TempDir
    Path temp;
    private ArrivalsSite site;
    private Path project;

    @BeforeAll
    static void scrapyIsInstalled() {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
    }

    @BeforeEach
    void serveSiteAndWriteProject() throws Exception {
        site = new ArrivalsSite();
        project = Files.createDirectories(temp.resolve("project/pages/spiders"));
        Files.writeString(temp.resolve("project/scrapy.cfg"), "[settings]\ndefault = pages.settings\n");
        Files.writeString(temp.resolve("project/pages/__init__.py"), "");
        Files.writeString(temp.resolve("project/pages/settings.py"), """
                BOT_NAME = "pages"
                SPIDER_MODULES = ["pages.spiders"]
                ROBOTSTXT_OBEY = False
                TELNETCONSOLE_ENABLED = False
                REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
                LOG_LEVEL = "INFO"
                """);
        Files.writeString(temp.resolve("project/pages/spiders/__init__.py"), "");
        Files.writeString(temp.resolve("project/pages/spiders/pages.py"), SPIDER);
        project = temp.resolve("project");
    }

    @AfterEach
    void stopSite() {
        site.close();
    }

    @Test
    void theMinimumHostDelayKeepsEachHostsRequestsApartWhateverTheSpiderAsksFor() throws Exception {
        long started = System.nanoTime();
        Result result = crawl(Duration.ofMillis(300), NO_DELAY);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(site.arrivals()).isEqualTo(2 * PAGES_PER_HOST);
        Map<String, List<Long>> gaps = site.gapsMillis();
        System.out.println("minimum host delay 300 ms: gaps between arrivals by host " + gaps + ", crawl "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertThat(gaps).allSatisfy((host, hostGaps) -> {
            assertThat(hostGaps).as("gaps of %s in ms", host).hasSize(PAGES_PER_HOST - 1);
            assertKeptApart(host, hostGaps, 300);
        });
        assertThat(result.output()).contains("at least 300 ms between two requests to one host");
    }

    @Test
    void withoutAMinimumTheSameSpiderSendsAHostsRequestsTogether() throws Exception {
        Result result = crawl(Duration.ZERO, NO_DELAY);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(site.arrivals()).isEqualTo(2 * PAGES_PER_HOST);
        Map<String, List<Long>> gaps = site.gapsMillis();
        System.out.println("no minimum host delay: gaps between arrivals by host " + gaps);
        // What makes the first test's assertion mean something: the spider alone does not keep hosts apart.
        assertThat(gaps.values().stream().flatMap(List::stream)).anySatisfy(gap -> assertThat(gap).isLessThan(100));
        assertThat(result.output()).doesNotContain("between two requests to one host");
    }

    @Test
    void aSpidersOwnLongerDelayIsKept() throws Exception {
        Result result = crawl(Duration.ofMillis(100), List.of("-s", "DOWNLOAD_DELAY=0.5", "-s",
                "RANDOMIZE_DOWNLOAD_DELAY=False"), "download_delay = 0\n", "");

        assertThat(result.exitCode()).as(result.output()).isZero();
        Map<String, List<Long>> gaps = site.gapsMillis();
        System.out.println("minimum 100 ms, the spider's own 500 ms: gaps between arrivals by host " + gaps);
        assertThat(gaps).allSatisfy((host, hostGaps) -> assertKeptApart(host, hostGaps, 500));
    }

    /**
     * From a host's second request on, each gap is at least {@code minimum} less the jitter, and so is the average
     * over every stretch from the second request: a late request does not let later ones come early.
     */
    private static void assertKeptApart(String host, List<Long> gaps, long minimum) {
        List<Long> checked = gaps.subList(1, gaps.size());
        assertThat(checked).as("gaps of %s in ms, from its second request", host)
                .allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(minimum - TRANSPORT_JITTER_MILLIS));
        long sinceSecond = 0;
        for (int k = 0; k < checked.size(); k++) {
            sinceSecond += checked.get(k);
            assertThat(sinceSecond).as("ms from the second request of %s to request %d", host, k + 3)
                    .isGreaterThanOrEqualTo(minimum * (k + 1) - TRANSPORT_JITTER_MILLIS);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result crawl(Duration minHostDelay, List<String> arguments) throws Exception {
        return crawl(minHostDelay, arguments, null, null);
    }

    /**
     * {@code scrapy crawl pages} on one batch of every page, with the environment the agent gives a Scrapy spider;
     * {@code replaced} in the spider's source becomes {@code replacement} when given.
     */
    private Result crawl(Duration minHostDelay, List<String> arguments, String replaced, String replacement)
            throws Exception {
        if (replaced != null) {
            Path spider = project.resolve("pages/spiders/pages.py");
            Files.writeString(spider, Files.readString(spider).replace(replaced, replacement));
        }
        Path batchFile = temp.resolve("batch.requests");
        Path itemsFile = Files.createFile(temp.resolve("batch.items.jsonl"));
        Files.writeString(batchFile, String.join("\n", site.urls(PAGES_PER_HOST)) + "\n");
        List<String> command = new ArrayList<>(List.of(QuotesSite.SCRAPY.toString(), "crawl", "pages"));
        command.addAll(arguments);
        RunSettings settings = new RunSettings(
                new Connection(OperatorAddress.parse("127.0.0.1:9090"), "crawls", "pages-1", "worker-1",
                        TokenSource.configured(null, Map.of(WorkerEnvironment.TOKEN, "t")).orElseThrow(),
                        OperatorTrust.plaintext()),
                project, command, temp, true, Path.of("src/main/python").toAbsolutePath(), Duration.ofSeconds(1),
                Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMillis(1), Duration.ofSeconds(1), DiscoveryMode.LOCAL, minHostDelay);
        Batch batch = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(0).setNumber(1)).setAttempt(1).build();
        Map<String, String> environment = SpiderEnvironment.of(ScrapyHelperTest.inheritedEnvironment(), settings,
                batch, batchFile, itemsFile, temp.resolve("batch.discovered.jsonl"));

        Path output = temp.resolve("scrapy.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process scrapy = builder.start();
        if (!scrapy.waitFor(60, TimeUnit.SECONDS)) {
            scrapy.destroyForcibly();
            throw new AssertionError("scrapy did not finish within 60 s");
        }
        return new Result(scrapy.exitValue(), Files.readString(output));
    }
}
