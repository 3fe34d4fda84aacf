package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.worker.ExitCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubecrawl-worker run} in-process against a fake FrontierService on loopback, with a shell script as the
 * spider: the batch loop, the reports, the log stream, lease renewal and loss, and the operator being away.
 */
class RunOverGrpcTest {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;
    private Path workdir;
    private Path scratch;
    private FakeFrontier frontier;

    @BeforeEach
    void directories() throws Exception {
        workdir = Files.createDirectories(temp.resolve("workspace"));
        scratch = temp.resolve("scratch");
    }

    @AfterEach
    void stopFrontier() throws Exception {
        if (frontier != null) {
            frontier.close();
        }
    }

    @Test
    void everyBatchIsCompletedOnceWithItsItemsAndTheDrainedFrontierEndsTheRunWithZero() throws Exception {
        frontier = FakeFrontier.start()
                .batch(0, 1, 30, "https://a.example/1", "https://a.example/2")
                .batch(0, 2, 30, "https://a.example/3")
                .batch(1, 1, 30, "https://b.example/1", "https://b.example/2", "https://b.example/3");

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::batch, FakeFrontier.Completion::items)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("0/1",
                                TestSpider.items("0/1", "https://a.example/1", "https://a.example/2")),
                        org.assertj.core.groups.Tuple.tuple("0/2", TestSpider.items("0/2", "https://a.example/3")),
                        org.assertj.core.groups.Tuple.tuple("1/1", TestSpider.items("1/1", "https://b.example/1",
                                "https://b.example/2", "https://b.example/3")));
        assertThat(frontier.completions()).allSatisfy(completion -> {
            assertThat(completion.worker()).isEqualTo(InProcessAgent.WORKER);
            assertThat(completion.attempt()).isEqualTo(1);
        });
        assertThat(frontier.failures()).isEmpty();
        assertThat(agent.err()).contains("batch 1/1 (attempt 1): completed, 3 items stored")
                .contains("the frontier is drained: done");
        assertThat(scratchFiles()).as("batch and items files are deleted after reporting").isEmpty();
    }

    @Test
    void theSpiderGetsTheBatchAndJobInItsEnvironmentAndItsOutputReachesTheContainerLog() throws Exception {
        frontier = FakeFrontier.start().batch(3, 7, 30, "https://a.example/1");

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(agent.out()).contains("batch 3/7 attempt 1 of crawls/quotes-1 on " + InProcessAgent.WORKER);
        assertThat(agent.err()).contains("reading 1 requests");
    }

    @Test
    void aSpiderThatNeverConnectsToTheAgentSocketRunsEachBatchInANewProcess() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1").batch(0, 2, 30, "https://a.example/2");

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        List<String> processes = agent.out().lines().filter(line -> line.startsWith("process ")).toList();
        assertThat(processes).hasSize(2).allSatisfy(line ->
                assertThat(line).contains("agent socket " + scratch.toAbsolutePath()).endsWith(".sock"));
        assertThat(processes.get(0).split(",")[0]).isNotEqualTo(processes.get(1).split(",")[0]);
        assertThat(frontier.completions()).extracting(FakeFrontier.Completion::items).containsExactly(
                TestSpider.items("0/1", "https://a.example/1"), TestSpider.items("0/2", "https://a.example/2"));
    }

    @Test
    void aSpiderThatConnectsAndExitsZeroWithoutReportingTheBatchFailsIt() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");
        // Items written, exit 0, but after connecting: only "done" completes a batch in a session.
        String script = "import os, socket\n"
                + "s = socket.socket(socket.AF_UNIX); s.connect(os.environ['KUBECRAWL_AGENT_SOCKET'])\n"
                + "open(os.environ['KUBECRAWL_ITEMS_FILE'], 'w').write('{\"half\": true}\\n')\n";

        InProcessAgent agent = start(List.of("/usr/bin/python3", "-c", script));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).isEmpty();
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.batch()).isEqualTo("0/1");
            assertThat(failure.exitCode()).isZero();
        });
        assertThat(agent.err()).contains("the spider process ended before it reported the batch");
    }

    @Test
    void aSpiderExitingNonZeroFailsTheBatchWithItsExitCodeAndTheLastTwentyLinesOfStderr() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start(TestSpider.command(temp, "fail", "7"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).isEmpty();
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.batch()).isEqualTo("0/1");
            assertThat(failure.attempt()).isEqualTo(1);
            assertThat(failure.exitCode()).isEqualTo(7);
            List<String> expected = new ArrayList<>();
            for (int i = 6; i <= 25; i++) {
                expected.add("error line " + i);
            }
            assertThat(failure.error()).isEqualTo(String.join("\n", expected));
        });
        assertThat(agent.err()).contains("batch 0/1 (attempt 1): the spider exited with 7")
                .contains("failure reported; the operator will lease the batch again");
    }

    @Test
    void aSpiderThatCannotStartFailsTheBatchWithMinusOne() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start(List.of(temp.resolve("no-such-spider").toString()));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.exitCode()).isEqualTo(-1);
            assertThat(failure.error()).startsWith("cannot start [" + temp.resolve("no-such-spider") + "]");
        });
    }

    @Test
    void logLinesReachTheOperatorTaggedWithTheirBatchAndSourceAndEndWithALastMessage() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1").batch(0, 2, 30, "https://a.example/2");

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        // The final message was sent before the run returned.
        assertThat(frontier.logFinished()).isTrue();
        assertThat(frontier.lines()).contains(
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.STDOUT, "0/1",
                        "batch 0/1 attempt 1 of crawls/quotes-1 on " + InProcessAgent.WORKER),
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.STDERR, "0/1", "reading 1 requests"),
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.STDOUT, "0/2", "done"),
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.AGENT, "0/2",
                        "batch 0/2 (attempt 1): completed, 1 items stored"),
                new FakeFrontier.Line(InProcessAgent.WORKER, LogLine.Source.AGENT, "",
                        "the frontier is drained: done"));
        List<LogLines> messages = frontier.logMessages();
        assertThat(messages.get(messages.size() - 1).getLast()).as("the last message is the final one").isTrue();
        assertThat(messages).filteredOn(LogLines::getLast).hasSize(1);
        assertThat(frontier.logStreams()).as("one stream for the whole agent").isEqualTo(1);
    }

    @Test
    void aBatchRunningLongerThanAThirdOfItsLeaseHasItsLeaseRenewed() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 3, "https://a.example/1");
        Path release = temp.resolve("release");

        InProcessAgent agent = start(TestSpider.command(temp, "hold", temp.resolve("pid").toString(),
                release.toString()));

        // A 3 s lease is renewed every second: two renewals are two thirds of a lease, longer than it would last.
        await().atMost(Duration.ofSeconds(10)).until(() -> frontier.renewals("0/1") >= 2);
        Files.createFile(release);
        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).singleElement()
                .satisfies(completion -> assertThat(completion.batch()).isEqualTo("0/1"));
    }

    @Test
    void aLostLeaseStopsTheSpiderAndTheBatchIsNotReported() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 3, "https://a.example/1");
        frontier.loseLeases(true);
        Path pidFile = temp.resolve("pid");

        InProcessAgent agent = start(TestSpider.command(temp, "hold", pidFile.toString(),
                temp.resolve("never").toString()));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long spiderPid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(ProcessHandle.of(spiderPid).map(ProcessHandle::isAlive)).as("the spider was stopped")
                .isNotEqualTo(java.util.Optional.of(true));
        assertThat(frontier.completions()).isEmpty();
        assertThat(frontier.failures()).isEmpty();
        assertThat(agent.err()).contains("the lease of batch 0/1 was lost");
    }

    @Test
    void anOperatorDownAtStartIsRetriedUntilItComesUpAndThenTheRunWorks() throws Exception {
        int port = FakeFrontier.freePort();

        InProcessAgent agent = start(InProcessAgent.podEnvironment("127.0.0.1:" + port),
                TestSpider.command(temp, "crawl"));

        await().atMost(Duration.ofSeconds(10)).until(() -> agent.err().contains("the operator did not answer Lease"));
        assertThat(agent.exited()).isFalse();
        frontier = FakeFrontier.start(port).batch(0, 1, 30, "https://a.example/1");
        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).singleElement()
                .satisfies(completion -> assertThat(completion.items())
                        .isEqualTo(TestSpider.items("0/1", "https://a.example/1")));
        // The lines written while the operator was down were kept and sent once it came up.
        assertThat(frontier.lines()).extracting(FakeFrontier.Line::text)
                .anySatisfy(text -> assertThat(text).startsWith("the operator did not answer Lease"));
        assertThat(frontier.logFinished()).isTrue();
    }

    @Test
    void anOperatorDownForLongerThanMaxWaitEndsTheRunWithThreeAndOneLineSayingWhy() throws Exception {
        List<String> options = InProcessAgent.fastOptions(workdir, scratch, "--max-wait=1s",
                "--log-close-timeout-ms=300");

        InProcessAgent agent = InProcessAgent.start(
                InProcessAgent.podEnvironment("127.0.0.1:" + FakeFrontier.freePort()), options,
                TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        // The last line: Kubernetes shows it as the container's termination message.
        assertThat(lastLine(agent.err())).startsWith(
                "kubecrawl-worker run: the operator did not answer Lease for 1 s (--max-wait), last UNAVAILABLE");
    }

    @Test
    void aRefusedTokenEndsTheRunWithThreeAtOnce() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");
        Map<String, String> environment = InProcessAgent.podEnvironment(frontier.address());
        environment.put("KUBECRAWL_TOKEN", "someone-elses-token");

        InProcessAgent agent = start(environment, TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(Duration.ofSeconds(10))).isEqualTo(ExitCodes.CANNOT_COMPLETE);
        assertThat(lastLine(agent.err())).isEqualTo("kubecrawl-worker run: the operator refused Lease: "
                + "PERMISSION_DENIED: not this job's worker token");
        assertThat(agent.err()).doesNotContain("did not answer");
        assertThat(frontier.leases()).isZero();
    }

    @Test
    void aWaitIsWaitedOutAndTheWorkerLeasesAgain() throws Exception {
        frontier = FakeFrontier.start().waitFirst(200).batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.leases()).as("wait, batch, drained").isEqualTo(3);
        assertThat(frontier.completions()).hasSize(1);
    }

    @Test
    void aLargeItemsFileIsSentInChunksOfAtMost256KiB() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start(TestSpider.command(temp, "big", "700"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).singleElement().satisfies(completion -> {
            assertThat(completion.items().lines()).hasSize(700)
                    .allSatisfy(line -> assertThat(line).startsWith("{\"n\": "));
            assertThat(completion.chunkSizes()).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(FrontierClient.ITEMS_CHUNK_BYTES));
            assertThat(completion.chunkSizes().get(0)).isEqualTo(FrontierClient.ITEMS_CHUNK_BYTES);
        });
    }

    @Test
    void itemsTheOperatorRefusesFailTheAttemptInsteadOfStoppingTheWorker() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");
        frontier.refuseItems(true);

        InProcessAgent agent = start(TestSpider.command(temp, "crawl"));

        assertThat(agent.awaitExit(EXIT)).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.exitCode()).isZero();
            assertThat(failure.error()).contains("INVALID_ARGUMENT").contains("line 1 is not a JSON object");
        });
    }

    private InProcessAgent start(List<String> spiderCommand) {
        return start(InProcessAgent.podEnvironment(frontier.address()), spiderCommand);
    }

    private InProcessAgent start(Map<String, String> environment, List<String> spiderCommand) {
        return InProcessAgent.start(environment, InProcessAgent.fastOptions(workdir, scratch), spiderCommand);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private List<Path> scratchFiles() throws Exception {
        if (!Files.exists(scratch)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(scratch)) {
            return files.toList();
        }
    }
}
