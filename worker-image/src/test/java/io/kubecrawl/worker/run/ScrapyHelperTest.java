package io.kubecrawl.worker.run;

import io.kubecrawl.protocol.WorkerEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorTrust;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.TokenSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Scrapy helper for real: Debian's Scrapy runs an unmodified copy of the example project
 * ({@code examples/quotes/project}) with the environment the agent builds for a Scrapy spider
 * ({@link SpiderEnvironment}), against a small site in the quotes layout on loopback, and the items file must hold
 * exactly the quotes of the batch's pages.
 */
class ScrapyHelperTest {
    private static final Path HELPER = Path.of("src/main/python");

    @TempDir
    Path temp;
    private QuotesSite site;
    private Path project;

    @BeforeAll
    static void scrapyIsInstalled() {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
    }

    @BeforeEach
    void serveSiteAndCopyProject() throws Exception {
        site = QuotesSite.start();
        project = QuotesSite.copyExampleProject(temp.resolve("project"));
    }

    @AfterEach
    void stopSite() {
        site.close();
    }

    @Test
    void anUnmodifiedProjectCrawlsTheBatchAndWritesItsItemsToTheItemsFile() throws Exception {
        Path batchFile = temp.resolve("batch.requests");
        Path itemsFile = Files.createFile(temp.resolve("batch.items.jsonl"));
        Files.writeString(batchFile, site.base() + "/\n"
                + "{\"url\": \"" + site.base() + "/tag/love/\", "
                + "\"headers\": {\"X-Kubecrawl-Test\": \"from-json-line\"}, \"meta\": {\"source\": \"batch\"}}\n");

        Result result = crawl(batchFile, itemsFile);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(QuotesSite.items(Files.readString(itemsFile))).containsExactlyInAnyOrderElementsOf(site.allItems());
        // The spider's own start URL (the public example site) was never asked for: only the batch and its links.
        assertThat(site.requested()).containsExactlyInAnyOrder("/", "/page/2/", "/tag/love/");
        assertThat(site.testHeaderByPath()).containsExactly(Map.entry("/tag/love/", "from-json-line"));
        // The project's own settings still apply.
        assertThat(site.userAgentByPath().get("/")).startsWith("kubecrawl-example-quotes");
    }

    @Test
    void aMalformedBatchLineMakesTheCrawlExitNonZeroBeforeItFetchesAnything() throws Exception {
        Path batchFile = temp.resolve("batch.requests");
        Path itemsFile = Files.createFile(temp.resolve("batch.items.jsonl"));
        Files.writeString(batchFile, site.base() + "/\n{\"method\": \"GET\"}\n");

        Result result = crawl(batchFile, itemsFile);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("line 2: a JSON request needs a \"url\" string");
        assertThat(site.requested()).isEmpty();
        assertThat(itemsFile).isEmptyFile();
    }

    private record Result(int exitCode, String output) {
    }

    /** {@code scrapy crawl quotes} in the project, with the environment the agent gives a Scrapy spider. */
    private Result crawl(Path batchFile, Path itemsFile) throws Exception {
        List<String> command = List.of(QuotesSite.SCRAPY.toString(), "crawl", "quotes");
        RunSettings settings = new RunSettings(
                new Connection(OperatorAddress.parse("127.0.0.1:9090"), "crawls", "quotes-1", "worker-1",
                        TokenSource.configured(null, Map.of(WorkerEnvironment.TOKEN, "t")).orElseThrow(), OperatorTrust.plaintext()),
                project, command, temp, RunSettings.looksLikeScrapy(command), HELPER.toAbsolutePath(),
                Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofSeconds(1), DiscoveryMode.LOCAL);
        Batch batch = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(0).setNumber(1)).setAttempt(1).build();
        Map<String, String> environment = SpiderEnvironment.of(inheritedEnvironment(), settings, batch, batchFile,
                itemsFile, temp.resolve("batch.discovered.jsonl"));

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

    /** The test JVM's environment, made safe for a crawl of a loopback site. */
    static Map<String, String> inheritedEnvironment() {
        Map<String, String> inherited = new HashMap<>(System.getenv());
        // A proxy from the machine's environment must not get between Scrapy and the loopback site.
        List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
                .forEach(inherited::remove);
        // The helper's sources stay free of byte code.
        inherited.put("PYTHONDONTWRITEBYTECODE", "1");
        return inherited;
    }
}
