package io.kubecrawl.worker.run;

import io.kubecrawl.protocol.WorkerEnvironment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorTrust;
import io.kubecrawl.worker.ExitCodes;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.TokenSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Link-following crawls with the real Scrapy helper: Debian's Scrapy runs the {@link LinksSite} spider, under the
 * in-process agent and the fake FrontierService. In Frontier mode a batch's completion carries the links its spider
 * followed as discovered requests (callback, cb_kwargs and depth intact) instead of fetching them; sent back as a
 * later batch they run the right callback with their cb_kwargs, in another process if need be; an errback's request
 * for a download error goes to the frontier as well; requests marked {@code kubecrawl_local} are fetched in the batch;
 * Local mode crawls as before.
 */
class ScrapyDiscoveryTest {
    private static final Duration EXIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private LinksSite site;
    private FakeFrontier frontier;
    private Path project;

    @BeforeAll
    static void scrapyIsInstalled() {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
    }

    @BeforeEach
    void serveSiteAndWriteProject() throws Exception {
        site = LinksSite.start();
        project = LinksSite.writeProject(temp.resolve("workspace"));
    }

    @AfterEach
    void stop() throws Exception {
        site.close();
        if (frontier != null) {
            frontier.close();
        }
    }

    @Test
    void aBatchSendsTheLinksItsSpiderFollowsToTheFrontierInsteadOfFetchingThemAndAnotherProcessRunsThemLater()
            throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, site.base() + "/a");

        InProcessAgent agent = start("Frontier");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).isEmpty();
        FakeFrontier.Completion first = completion(frontier, "0/1");
        assertThat(QuotesSite.items(first.items())).containsExactlyInAnyOrder(
                item("/a", "parse", Map.of(), 0),
                item("/local", "parse_local", Map.of(), 1),
                item("/lambda", "parse_local", Map.of(), 1));
        assertThat(site.requested()).as("/b went to the frontier; the local and the lambda's request did not")
                .containsExactlyInAnyOrder("/a", "/local", "/lambda");
        assertThat(first.parts()).endsWith(CompleteBatchPart.PartCase.DISCOVERED);
        DiscoveredRequest linked = first.discovered().get(0);
        assertThat(first.discovered()).hasSize(1);
        assertThat(linked.getUrl()).isEqualTo(site.base() + "/b");
        assertThat(linked.getDepth()).isEqualTo(1);
        assertThat(linked.getReferrer()).isEqualTo(site.base() + "/a");
        assertThat(linked.getPriority()).isEqualTo(3);
        assertThat(linked.getDontFilter()).isFalse();
        assertThat(linked.getFingerprint().size()).as("Scrapy's SHA-1 fingerprint").isEqualTo(20);
        JsonNode request = JSON.readTree(linked.getRequest());
        assertThat(request.get("kubecrawl_request").asInt()).isEqualTo(1);
        assertThat(request.get("url").asText()).isEqualTo(site.base() + "/b");
        assertThat(request.get("callback").asText()).isEqualTo("parse_linked");
        assertThat(request.get("cb_kwargs")).isEqualTo(JSON.valueToTree(Map.of("hop", 1, "origin", "/a")));
        assertThat(request.get("meta").get("depth").asInt()).isEqualTo(1);
        assertThat(request.get("meta").has("kubecrawl_batch")).as("the batch it was found in is not its own").isFalse();
        assertThat(request.get("headers").get("Referer")).as("the project's middlewares saw it first")
                .isEqualTo(JSON.valueToTree(List.of(site.base() + "/a")));
        assertThat(frontier.lines()).extracting(FakeFrontier.Line::text)
                .anySatisfy(text -> assertThat(text).contains("/lambda>").contains("cannot go to the frontier"));

        // As the operator does: the request, unchanged, as a line of a later batch, here to a new worker process.
        frontier.close();
        frontier = FakeFrontier.start().batch(4, 2, 30, linked.getRequest());

        InProcessAgent later = start("Frontier");

        assertThat(later.awaitExit(EXIT)).as(later.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).isEmpty();
        FakeFrontier.Completion second = completion(frontier, "4/2");
        assertThat(QuotesSite.items(second.items())).containsExactly(
                item("/b", "parse_linked", Map.of("hop", 1, "origin", "/a"), 1));
        assertThat(second.discovered()).extracting(DiscoveredRequest::getUrl)
                .containsExactlyInAnyOrder(site.base() + "/c", site.gone());
        assertThat(discovered(second, site.base() + "/c")).satisfies(next -> {
            assertThat(next.getDepth()).isEqualTo(2);
            assertThat(JSON.readTree(next.getRequest()).get("cb_kwargs"))
                    .isEqualTo(JSON.valueToTree(Map.of("hop", 2, "origin", "/b")));
        });
        assertThat(JSON.readTree(discovered(second, site.gone()).getRequest()).get("errback").asText())
                .isEqualTo("recover");
        assertThat(site.requested()).filteredOn("/b"::equals).hasSize(1);
        assertThat(site.requested()).doesNotContain("/c", "/recovered");
    }

    @Test
    void aFrontierThatHandsDiscoveredRequestsBackGetsEveryPageOnceWithItsCallbackCbKwargsAndDepth() throws Exception {
        frontier = FakeFrontier.start().followDiscovered().batch(0, 1, 30, site.base() + "/a");

        InProcessAgent agent = start("Frontier");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).isEmpty();
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch)
                .containsExactly("0/1", "9/1", "9/2", "9/3");
        assertThat(QuotesSite.items(completion(frontier, "9/1").items())).containsExactly(
                item("/b", "parse_linked", Map.of("hop", 1, "origin", "/a"), 1));
        assertThat(QuotesSite.items(completion(frontier, "9/2").items())).containsExactly(
                item("/c", "parse_linked", Map.of("hop", 2, "origin", "/b"), 2));
        FakeFrontier.Completion third = completion(frontier, "9/2");
        // /c links back to /b: discovered again, at depth 3, and dropped by the frontier as already seen.
        assertThat(discovered(third, site.base() + "/b")).satisfies(back -> {
            assertThat(back.getDepth()).isEqualTo(3);
            assertThat(back.getFingerprint()).isEqualTo(completion(frontier, "0/1").discovered().get(0)
                    .getFingerprint());
        });
        // The broken link's errback ran on the download error (no spider middleware sees its output in Scrapy 2.8):
        // its request went to the frontier too, one deeper than the request that failed.
        assertThat(discovered(third, site.base() + "/recovered")).satisfies(recovered -> {
            assertThat(recovered.getDepth()).isEqualTo(3);
            assertThat(recovered.getReferrer()).isEqualTo(site.gone());
        });
        assertThat(third.discovered()).hasSize(2);
        assertThat(QuotesSite.items(completion(frontier, "9/3").items())).containsExactly(
                item("/recovered", "parse_linked", Map.of("hop", 0, "origin", "errback"), 3));
        assertThat(site.requested()).containsExactlyInAnyOrder("/a", "/local", "/lambda", "/b", "/c", "/recovered");
        assertThat(frontier.lines()).filteredOn(line -> line.text().contains("Spider opened"))
                .as("one Scrapy process served every batch").hasSize(1);
    }

    @Test
    void inLocalModeTheBatchFollowsEveryLinkItselfAsBefore() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, site.base() + "/a");

        InProcessAgent agent = start(null);

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        FakeFrontier.Completion only = completion(frontier, "0/1");
        assertThat(frontier.completions()).hasSize(1);
        assertThat(QuotesSite.items(only.items())).containsExactlyInAnyOrder(
                item("/a", "parse", Map.of(), 0),
                item("/local", "parse_local", Map.of(), 1),
                item("/lambda", "parse_local", Map.of(), 1),
                item("/b", "parse_linked", Map.of("hop", 1, "origin", "/a"), 1),
                item("/c", "parse_linked", Map.of("hop", 2, "origin", "/b"), 2),
                // Scrapy's own way: an errback's request for a download error has no depth, so its page has depth 0.
                item("/recovered", "parse_linked", Map.of("hop", 0, "origin", "errback"), 0));
        assertThat(only.parts()).containsExactly(CompleteBatchPart.PartCase.HEADER, CompleteBatchPart.PartCase.ITEMS);
        assertThat(site.requested()).containsExactlyInAnyOrder("/a", "/local", "/lambda", "/b", "/c", "/recovered");
    }

    @Test
    void withoutASessionTheDiscoveredRequestsFileIsInPlaceWhenTheSpiderExits() throws Exception {
        Path batchFile = Files.writeString(temp.resolve("batch.requests"), site.base() + "/a\n");
        Path itemsFile = Files.createFile(temp.resolve("batch.items.jsonl"));
        Path discoveredFile = temp.resolve("batch.discovered.jsonl");

        int exitCode = crawlWithoutSession(batchFile, itemsFile, discoveredFile);

        assertThat(exitCode).as(Files.readString(temp.resolve("scrapy.log"))).isZero();
        assertThat(QuotesSite.items(Files.readString(itemsFile))).extracting(item -> item.get("path").asText())
                .containsExactlyInAnyOrder("/a", "/local", "/lambda");
        List<JsonNode> discovered = QuotesSite.items(Files.readString(discoveredFile));
        assertThat(discovered).singleElement().satisfies(line -> {
            assertThat(line.get("url").asText()).isEqualTo(site.base() + "/b");
            assertThat(line.get("fingerprint").asText()).hasSize(40);
            assertThat(line.get("depth").asInt()).isEqualTo(1);
            assertThat(line.get("referrer").asText()).isEqualTo(site.base() + "/a");
            assertThat(line.get("request").isTextual()).isTrue();
        });
        assertThat(temp.resolve("batch.discovered.jsonl.part")).as("renamed into place").doesNotExist();
    }

    private InProcessAgent start(String mode) {
        List<String> options = InProcessAgent.fastOptions(project, temp.resolve("scratch"),
                "--python-path=" + Path.of("src/main/python").toAbsolutePath());
        Map<String, String> environment = ScrapyHelperTest.inheritedEnvironment();
        environment.putAll(InProcessAgent.podEnvironment(frontier.address()));
        if (mode != null) {
            environment.put("KUBECRAWL_DISCOVERED", mode);
        }
        return InProcessAgent.start(environment, options, List.of(QuotesSite.SCRAPY.toString(), "crawl", "links"));
    }

    /** {@code scrapy crawl links} as a one-batch process: the agent's environment in Frontier mode, no socket. */
    private int crawlWithoutSession(Path batchFile, Path itemsFile, Path discoveredFile) throws Exception {
        List<String> command = List.of(QuotesSite.SCRAPY.toString(), "crawl", "links");
        RunSettings settings = new RunSettings(
                new Connection(OperatorAddress.parse("127.0.0.1:1"), "crawls", "links-1", "worker-1",
                        TokenSource.configured(null, Map.of(WorkerEnvironment.TOKEN, "t")).orElseThrow(), OperatorTrust.plaintext()),
                project, command, temp, true, Path.of("src/main/python").toAbsolutePath(),
                Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofSeconds(1), DiscoveryMode.FRONTIER);
        Batch batch = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(0).setNumber(1)).setAttempt(1).build();
        Map<String, String> environment = SpiderEnvironment.of(ScrapyHelperTest.inheritedEnvironment(), settings,
                batch, batchFile, itemsFile, discoveredFile);
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(temp.resolve("scrapy.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process scrapy = builder.start();
        if (!scrapy.waitFor(60, TimeUnit.SECONDS)) {
            scrapy.destroyForcibly();
            throw new AssertionError("scrapy did not finish within 60 s");
        }
        return scrapy.exitValue();
    }

    private static DiscoveredRequest discovered(FakeFrontier.Completion completion, String url) {
        return completion.discovered().stream().filter(request -> request.getUrl().equals(url)).findFirst()
                .orElseThrow(() -> new AssertionError("batch " + completion.batch() + " discovered no " + url));
    }

    private static FakeFrontier.Completion completion(FakeFrontier frontier, String batch) {
        return frontier.completions().stream().filter(candidate -> candidate.batch().equals(batch)).findFirst()
                .orElseThrow(() -> new AssertionError("no completion of batch " + batch));
    }

    /** The item the spider makes of a page. */
    private static JsonNode item(String path, String callback, Map<String, Object> cbKwargs, int depth) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("path", path);
        item.put("callback", callback);
        item.put("cb_kwargs", new LinkedHashMap<>(cbKwargs));
        item.put("depth", depth);
        return JSON.valueToTree(item);
    }
}
