package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.worker.ExitCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as the pod runs it, in its own JVM, against the fake FrontierService: a whole run to the drained
 * frontier, and SIGTERM in the middle of a batch. Run by failsafe after 'package' ({@code ./mvnw verify}).
 */
class RunCommandIT {
    /** 128 + SIGTERM: how a JVM ended by SIGTERM exits once its shutdown hooks are done. */
    private static final int KILLED_BY_SIGTERM = 143;

    @TempDir
    Path temp;
    private FakeFrontier frontier;

    @AfterEach
    void stopFrontier() throws Exception {
        if (frontier != null) {
            frontier.close();
        }
    }

    @Test
    void theAgentProcessRunsEveryBatchShipsItsLogsAndExitsZeroWhenTheFrontierIsDrained() throws Exception {
        frontier = FakeFrontier.start()
                .batch(0, 1, 30, "https://a.example/1", "https://a.example/2")
                .batch(1, 1, 30, "https://b.example/1");

        AgentProcess agent = AgentProcess.start(frontier.address(), options(), TestSpider.command(temp, "crawl"),
                temp.resolve("logs"));

        assertThat(agent.waitFor(60)).as(agent.stderr()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::items).containsExactly(
                TestSpider.items("0/1", "https://a.example/1", "https://a.example/2"),
                TestSpider.items("1/1", "https://b.example/1"));
        assertThat(agent.stdout()).contains("batch 1/1 attempt 1 of crawls/quotes-1 on " + InProcessAgent.WORKER);
        assertThat(agent.stderr()).contains("kubecrawl-worker run: the frontier is drained: done");
        assertThat(frontier.lines()).contains(
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.STDOUT, "0/1", "done"),
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.STDERR, "1/1", "reading 1 requests"));
        assertThat(frontier.logFinished()).isTrue();
    }

    @Test
    void sigtermStopsTheSpiderLeavesItsBatchUnreportedAndSendsTheFinalLogMessage() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");
        Path pidFile = temp.resolve("spider.pid");

        AgentProcess agent = AgentProcess.start(frontier.address(), options(), TestSpider.command(temp, "hold",
                pidFile.toString(), temp.resolve("never").toString()), temp.resolve("logs"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long spiderPid = Long.parseLong(Files.readString(pidFile).strip());
        agent.terminate();

        assertThat(agent.waitFor(30)).as(agent.stderr()).isEqualTo(KILLED_BY_SIGTERM);
        assertThat(ProcessHandle.of(spiderPid).map(ProcessHandle::isAlive)).as("the spider was stopped")
                .isNotEqualTo(Optional.of(true));
        assertThat(frontier.completions()).isEmpty();
        assertThat(frontier.failures()).isEmpty();
        assertThat(agent.stderr()).contains("batch 0/1 (attempt 1): stopped with the agent; not reported");
        assertThat(frontier.logFinished()).as("the final log message").isTrue();
    }

    @Test
    void aScrapyProjectRunsUnderTheRealAgentThroughTheHelperAndItsItemsReachTheOperator() throws Exception {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
        try (QuotesSite site = QuotesSite.start()) {
            frontier = FakeFrontier.start().batch(0, 1, 30, site.base() + "/", site.base() + "/tag/love/");
            Path workspace = QuotesSite.copyExampleProject(temp.resolve("workspace"));
            List<String> options = InProcessAgent.fastOptions(workspace, temp.resolve("scratch"),
                    "--python-path=" + Path.of("src/main/python").toAbsolutePath());

            AgentProcess agent = AgentProcess.start(frontier.address(), options,
                    List.of(QuotesSite.SCRAPY.toString(), "crawl", "quotes"), temp.resolve("logs"),
                    ScrapyHelperTest.inheritedEnvironment());

            assertThat(agent.waitFor(120)).as(agent.stderr()).isEqualTo(ExitCodes.DONE);
            assertThat(frontier.completions()).singleElement().satisfies(completion ->
                    assertThat(QuotesSite.items(completion.items()))
                            .containsExactlyInAnyOrderElementsOf(site.allItems()));
            // Scrapy logs to stderr; its lines reach the operator tagged with the batch.
            assertThat(frontier.lines()).anySatisfy(line -> {
                assertThat(line.source()).isEqualTo(LogLine.Source.STDERR);
                assertThat(line.batch()).isEqualTo("0/1");
                assertThat(line.text()).contains("Kubecrawl batch: 2 start requests");
            });
        }
    }

    private List<String> options() throws IOException {
        return InProcessAgent.fastOptions(Files.createDirectories(temp.resolve("workspace")), temp.resolve("scratch"));
    }
}
