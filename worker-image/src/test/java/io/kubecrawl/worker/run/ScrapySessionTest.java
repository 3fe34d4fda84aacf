package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.worker.ExitCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spider sessions with the real Scrapy helper: the agent in-process against the fake FrontierService, Debian's Scrapy
 * running the unmodified example project against the loopback quotes site. One Scrapy process serves batch after
 * batch, each batch's items reach the operator in that batch's own CompleteBatch, and a batch that goes wrong in a
 * session fails alone.
 */
class ScrapySessionTest {
    private static final Duration EXIT = Duration.ofSeconds(90);
    /** Scrapy logs this once per process, when the spider opens. */
    private static final String SPIDER_OPENED = "Spider opened";
    private static final Pattern PID = Pattern.compile("batch (\\S+) \\(attempt \\d+\\): .*\\(pid (\\d+)\\)");

    @TempDir
    Path temp;
    private QuotesSite site;
    private FakeFrontier frontier;
    private Path project;

    @BeforeAll
    static void scrapyIsInstalled() {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
    }

    @BeforeEach
    void serveSiteAndCopyProject() throws Exception {
        site = QuotesSite.start();
        project = QuotesSite.copyExampleProject(temp.resolve("workspace"));
    }

    @AfterEach
    void stop() throws Exception {
        site.close();
        if (frontier != null) {
            frontier.close();
        }
    }

    @Test
    void oneScrapyProcessServesEveryBatchAndEachBatchGetsItsOwnItemsExactlyOnce() throws Exception {
        frontier = FakeFrontier.start()
                .batch(0, 1, 30, site.base() + "/")
                .batch(0, 2, 30, site.base() + "/", site.base() + "/tag/love/")
                .batch(0, 3, 30, site.base() + "/tag/love/");

        InProcessAgent agent = start();

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch)
                .containsExactly("0/1", "0/2", "0/3");
        // Batch 0/2 follows "/" to "/page/2/" again although batch 0/1 of the same process did: each batch crawls
        // what it would crawl in a process of its own.
        assertThat(items("0/1")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/", "/page/2/"));
        assertThat(items("0/2")).containsExactlyInAnyOrderElementsOf(site.allItems());
        assertThat(items("0/3")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/tag/love/"));
        assertThat(frontier.failures()).isEmpty();
        assertThat(spiderOpenings()).as("Scrapy processes started").isEqualTo(1);
        assertThat(pidsByBatch(agent)).containsOnlyKeys("0/1", "0/2", "0/3")
                .satisfies(pids -> assertThat(pids.values()).containsOnly(pids.get("0/1")));
        assertThat(agent.err()).contains("served 3 batches and exited with 0");
        // The process's lines reach the operator tagged with the batch in flight when they were written.
        assertThat(frontier.lines()).anySatisfy(line -> {
            assertThat(line.source()).isEqualTo(LogLine.Source.STDERR);
            assertThat(line.batch()).isEqualTo("0/2");
            assertThat(line.text()).contains("Kubecrawl batch: 2 start requests");
        });
        try (Stream<Path> scratch = Files.list(temp.resolve("scratch"))) {
            assertThat(scratch.toList()).as("batch files and socket are gone").isEmpty();
        }
    }

    @Test
    void aSecondBatchRunsBesideAHeldOneAndIsReportedFirstEachWithItsOwnItemsAndLinks() throws Exception {
        frontier = FakeFrontier.start().maxBatchesPerWorker(2)
                .batch(0, 1, 30, site.base() + "/hold/", site.base() + "/")
                .batch(0, 2, 30, site.base() + "/", site.base() + "/tag/love/");

        InProcessAgent agent = startUnthrottled();

        await().atMost(Duration.ofSeconds(60)).until(() -> frontier.completions().size() == 1);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch)
                .as("batch 0/2 completed while 0/1 waits for /hold/").containsExactly("0/2");
        site.release();

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch).containsExactly("0/2", "0/1");
        assertThat(frontier.failures()).isEmpty();
        // Both batches follow "/" to "/page/2/": each has a duplicate filter of its own, even while they overlap.
        assertThat(items("0/1")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/hold/", "/", "/page/2/"));
        assertThat(items("0/2")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/", "/page/2/", "/tag/love/"));
        assertThat(site.requested()).filteredOn("/page/2/"::equals).hasSize(2);
        assertThat(spiderOpenings()).as("Scrapy processes started").isEqualTo(1);
        assertThat(agent.err()).contains("served 2 batches and exited with 0");
    }

    @Test
    void aRequestThatLostItsBatchTagKeepsTheBatchOpenUntilItsItemsAreIn() throws Exception {
        // A project middleware that swaps a request for a new one without copying its meta, as some do.
        Files.writeString(project.resolve("quotes/untagged.py"), """
                import scrapy


                class NewRequestForLove:
                    def process_request(self, request, spider):
                        if request.url.endswith("/tag/love/"):
                            return scrapy.Request(request.url.replace("/tag/love/", "/hold/"), dont_filter=True)
                        return None
                """);
        frontier = FakeFrontier.start().batch(0, 1, 30, site.base() + "/tag/love/");

        InProcessAgent agent = start("-s", "DOWNLOADER_MIDDLEWARES={\"quotes.untagged.NewRequestForLove\": 543}");

        await().atMost(Duration.ofSeconds(60)).until(() -> site.requested().contains("/hold/"));
        site.release();
        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).isEmpty();
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch).containsExactly("0/1");
        assertThat(items("0/1")).as("the item of the untagged request, in the one batch running")
                .containsExactlyInAnyOrderElementsOf(site.itemsOf("/hold/"));
    }

    @Test
    void anAttemptWhoseBatchIsLeasedAgainMeanwhileIsNotReported() throws Exception {
        // Attempt 1 waits for /hold/; the operator, which let its lease expire, hands out attempt 2 of the same batch.
        frontier = FakeFrontier.start().maxBatchesPerWorker(2)
                .batch(0, 1, 30, site.base() + "/hold/")
                .attempt(0, 1, 2, 30, site.base() + "/tag/love/");

        InProcessAgent agent = startUnthrottled();

        await().atMost(Duration.ofSeconds(60)).until(() -> frontier.completions().size() == 1);
        site.release();
        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).singleElement().satisfies(completion -> {
            assertThat(completion.batch()).isEqualTo("0/1");
            assertThat(completion.attempt()).isEqualTo(2);
            assertThat(QuotesSite.items(completion.items()))
                    .containsExactlyInAnyOrderElementsOf(site.itemsOf("/tag/love/"));
        });
        assertThat(frontier.failures()).isEmpty();
        assertThat(agent.err()).contains("batch 0/1 (attempt 1): leased again meanwhile as a later attempt; "
                + "not reported");
    }

    @Test
    void aSessionProcessKilledWithTwoBatchesInFlightFailsBoth() throws Exception {
        frontier = FakeFrontier.start().maxBatchesPerWorker(2)
                .batch(0, 1, 30, site.base() + "/hold/")
                .batch(0, 2, 30, site.base() + "/hold/")
                .batch(0, 3, 30, site.base() + "/tag/love/");

        InProcessAgent agent = startUnthrottled();

        await().atMost(Duration.ofSeconds(60)).until(() -> pidsByBatch(agent).containsKey("0/2")
                && site.requested().stream().filter("/hold/"::equals).count() == 2);
        long pid = pidsByBatch(agent).get("0/1");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).extracting(FakeFrontier.Failure::batch, FakeFrontier.Failure::exitCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0/1", 137),
                        org.assertj.core.groups.Tuple.tuple("0/2", 137));
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch).containsExactly("0/3");
        assertThat(items("0/3")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/tag/love/"));
        assertThat(pidsByBatch(agent).get("0/3")).as("a new process for the next batch").isNotEqualTo(pid);
    }

    @Test
    void aSessionProcessKilledMidBatchFailsThatBatchAndTheNextBatchRunsInANewProcess() throws Exception {
        frontier = FakeFrontier.start()
                .batch(0, 1, 30, site.base() + "/tag/love/")
                .batch(0, 2, 30, site.base() + "/hold/")
                .batch(0, 3, 30, site.base() + "/tag/love/");

        InProcessAgent agent = start();

        // The agent logs a batch's pid after handing the batch over: wait for the log line as well.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> site.requested().contains("/hold/") && pidsByBatch(agent).containsKey("0/2"));
        long pid = pidsByBatch(agent).get("0/2");
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.batch()).isEqualTo("0/2");
            assertThat(failure.exitCode()).as("128 + SIGKILL").isEqualTo(137);
            assertThat(failure.error()).contains("Kubecrawl batch: 1 start requests");
        });
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch).containsExactly("0/1", "0/3");
        assertThat(items("0/3")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/tag/love/"));
        Map<String, Long> pids = pidsByBatch(agent);
        assertThat(pids.get("0/3")).as("a new process for the next batch").isNotEqualTo(pid);
        assertThat(pids.get("0/1")).isEqualTo(pid);
        assertThat(spiderOpenings()).isEqualTo(2);
    }

    @Test
    void aMalformedBatchInASessionFailsThatBatchOnlyAndTheProcessServesTheNext() throws Exception {
        frontier = FakeFrontier.start()
                .batch(0, 1, 30, site.base() + "/tag/love/")
                .batch(0, 2, 30, site.base() + "/", "{\"method\": \"GET\"}")
                .batch(0, 3, 30, site.base() + "/page/2/");

        InProcessAgent agent = start();

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.batch()).isEqualTo("0/2");
            assertThat(failure.exitCode()).as("the process did not exit").isZero();
            assertThat(failure.error()).contains("line 2: a JSON request needs a \"url\" string");
        });
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch).containsExactly("0/1", "0/3");
        assertThat(items("0/3")).containsExactlyInAnyOrderElementsOf(site.itemsOf("/page/2/"));
        assertThat(site.requested()).as("nothing of the malformed batch was fetched")
                .containsExactlyInAnyOrder("/tag/love/", "/page/2/");
        assertThat(spiderOpenings()).isEqualTo(1);
    }

    private InProcessAgent start(String... scrapyArgs) {
        List<String> options = InProcessAgent.fastOptions(project, temp.resolve("scratch"),
                "--python-path=" + Path.of("src/main/python").toAbsolutePath());
        Map<String, String> environment = ScrapyHelperTest.inheritedEnvironment();
        environment.putAll(InProcessAgent.podEnvironment(frontier.address()));
        List<String> command = new java.util.ArrayList<>(List.of(QuotesSite.SCRAPY.toString(), "crawl", "quotes"));
        command.addAll(List.of(scrapyArgs));
        return InProcessAgent.start(environment, options, command);
    }

    /** Without the example's polite delay and per-site limit of 2: a held request must not hold up the others. */
    private InProcessAgent startUnthrottled() {
        return start("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s",
                "CONCURRENT_REQUESTS_PER_DOMAIN=8");
    }

    private List<com.fasterxml.jackson.databind.JsonNode> items(String batch) throws Exception {
        FakeFrontier.Completion completion = frontier.completions().stream()
                .filter(candidate -> candidate.batch().equals(batch)).findFirst().orElseThrow();
        return QuotesSite.items(completion.items());
    }

    private long spiderOpenings() {
        return frontier.lines().stream().filter(line -> line.text().contains(SPIDER_OPENED)).count();
    }

    /** The spider process of each batch, from the agent's log. */
    private static Map<String, Long> pidsByBatch(InProcessAgent agent) {
        Map<String, Long> pids = new java.util.HashMap<>();
        Matcher matcher = PID.matcher(agent.err());
        while (matcher.find()) {
            pids.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return pids;
    }
}
