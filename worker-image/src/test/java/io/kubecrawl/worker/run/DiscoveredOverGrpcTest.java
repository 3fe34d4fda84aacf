package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import io.kubecrawl.worker.ExitCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of discovered requests, in-process against the fake FrontierService, with a small Python program
 * (no Scrapy) as the spider: in Frontier mode the requests it writes to {@code KUBECRAWL_DISCOVERED_FILE} follow the
 * items in the same CompleteBatch, in bounded parts; a malformed line or a failed attempt sends none of them.
 */
class DiscoveredOverGrpcTest {
    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * {@code spider.py <mode> [count] [pad]}: one item per batch line; says its discovery settings on stdout; and by
     * mode: {@code crawl} nothing more; {@code discover} {@code count} requests (each {@code pad} bytes longer);
     * {@code discover-fail} the same, then exit 7; {@code malformed} a good line, then one whose fingerprint is not hex;
     * {@code unfinished} a line under the helper's temporary name, never renamed.
     */
    private static final String SPIDER = """
            import json, os, sys
            mode = sys.argv[1]
            batch = [line.strip() for line in open(os.environ["KUBECRAWL_BATCH_FILE"]) if line.strip()]
            print("discovered", os.environ.get("KUBECRAWL_DISCOVERED", "unset"),
                  os.environ.get("KUBECRAWL_DISCOVERED_FILE", "unset"), flush=True)
            with open(os.environ["KUBECRAWL_ITEMS_FILE"], "w") as items:
                for url in batch:
                    items.write(json.dumps({"url": url}) + "\\n")

            def line(n, pad=""):
                url = "https://a.example/found/%d" % n
                request = json.dumps({"kubecrawl_request": 1, "url": url, "callback": "parse_found", "pad": pad},
                                     separators=(",", ":"))
                return json.dumps({"url": url, "fingerprint": format(n, "040x"), "dont_filter": n % 2 == 1,
                                   "priority": -n, "depth": 2, "referrer": batch[0], "request": request})

            if mode in ("discover", "discover-fail"):
                pad = "x" * int(sys.argv[3]) if len(sys.argv) > 3 else ""
                with open(os.environ["KUBECRAWL_DISCOVERED_FILE"], "w") as out:
                    for n in range(int(sys.argv[2])):
                        out.write(line(n, pad) + "\\n")
            elif mode == "unfinished":
                with open(os.environ["KUBECRAWL_DISCOVERED_FILE"] + ".part", "w") as out:
                    out.write(line(0) + "\\n")
            elif mode == "malformed":
                with open(os.environ["KUBECRAWL_DISCOVERED_FILE"], "w") as out:
                    out.write(line(0) + "\\n")
                    out.write(json.dumps({"url": "https://a.example/bad", "fingerprint": "not-hex",
                                          "request": "{}"}) + "\\n")
            if mode == "discover-fail":
                print("giving up", file=sys.stderr)
                sys.exit(7)
            """;

    @TempDir
    Path temp;
    private Path workdir;
    private Path scratch;
    private FakeFrontier frontier;

    @BeforeEach
    void directories() throws Exception {
        workdir = Files.createDirectories(temp.resolve("workspace"));
        scratch = temp.resolve("scratch");
        Files.writeString(temp.resolve("spider.py"), SPIDER);
    }

    @AfterEach
    void stopFrontier() throws Exception {
        if (frontier != null) {
            frontier.close();
        }
    }

    @Test
    void inFrontierModeTheDiscoveredRequestsFollowTheItemsInTheSameCompleteBatchInPartsOfAtMost500() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start("Frontier", "discover", "1201");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(agent.out()).contains("discovered Frontier " + scratch.toAbsolutePath()
                .resolve(InProcessAgent.WORKER + "-batch-0-1-1.discovered.jsonl"));
        assertThat(frontier.failures()).isEmpty();
        FakeFrontier.Completion completion = frontier.completions().get(0);
        assertThat(frontier.completions()).hasSize(1);
        assertThat(completion.items()).isEqualTo("{\"url\": \"https://a.example/1\"}\n");
        // The header, the items, then the requests: one stream, so the operator commits them together.
        assertThat(completion.parts()).containsExactly(CompleteBatchPart.PartCase.HEADER,
                CompleteBatchPart.PartCase.ITEMS, CompleteBatchPart.PartCase.DISCOVERED,
                CompleteBatchPart.PartCase.DISCOVERED, CompleteBatchPart.PartCase.DISCOVERED);
        assertThat(completion.discoveredParts()).containsExactly(500, 500, 201);
        assertThat(completion.discovered()).hasSize(1201);
        DiscoveredRequest third = completion.discovered().get(3);
        assertThat(third.getUrl()).isEqualTo("https://a.example/found/3");
        assertThat(HexFormat.of().formatHex(third.getFingerprint().toByteArray())).isEqualTo("%040x".formatted(3));
        assertThat(third.getDontFilter()).isTrue();
        assertThat(third.getPriority()).isEqualTo(-3);
        assertThat(third.getDepth()).isEqualTo(2);
        assertThat(third.getReferrer()).isEqualTo("https://a.example/1");
        assertThat(third.getRequest()).as("the request exactly as the spider wrote it")
                .isEqualTo("{\"kubecrawl_request\":1,\"url\":\"https://a.example/found/3\","
                        + "\"callback\":\"parse_found\",\"pad\":\"\"}");
        assertThat(completion.discovered()).extracting(DiscoveredRequest::getUrl)
                .startsWith("https://a.example/found/0", "https://a.example/found/1")
                .endsWith("https://a.example/found/1200");
        assertThat(agent.err()).contains("batch 0/1 (attempt 1): completed, 1 items stored, 1201 discovered "
                + "requests sent");
        assertThat(scratchFiles()).as("the discovered requests file is deleted with the others").isEmpty();
    }

    @Test
    void largeDiscoveredRequestsGoInPartsOfAboutOneMebibyte() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start("Frontier", "discover", "40", "100000");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        FakeFrontier.Completion completion = frontier.completions().get(0);
        assertThat(completion.discovered()).hasSize(40);
        assertThat(completion.discoveredParts()).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(count -> assertThat(count).isLessThan(11));
        assertThat(completion.discoveredPartBytes())
                .allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(DiscoveredRequestsFile.PART_BYTES));
    }

    @Test
    void aMalformedDiscoveredLineFailsTheAttemptWithOneLineSayingWhyAndSendsNothing() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start("Frontier", "malformed");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completions()).isEmpty();
        assertThat(frontier.completeStreams()).as("not even the items were sent").isZero();
        assertThat(frontier.discoveredReceived()).isZero();
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.batch()).isEqualTo("0/1");
            assertThat(failure.exitCode()).as("the spider exited 0").isZero();
            assertThat(failure.error()).startsWith("the spider's discovered requests file is malformed: line 2: "
                    + "\"fingerprint\" is not hex digits").doesNotContain("\n");
        });
    }

    @Test
    void aDiscoveredRequestsFileLeftUnderItsTemporaryNameFailsTheAttemptRatherThanCountAsNone() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start("Frontier", "unfinished");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.completeStreams()).isZero();
        assertThat(frontier.failures()).singleElement().satisfies(failure -> assertThat(failure.error())
                .isEqualTo("the spider left its discovered requests file unfinished (" + InProcessAgent.WORKER
                        + "-batch-0-1-1.discovered.jsonl.part was never renamed)"));
        assertThat(scratchFiles()).as("the temporary file is deleted too").isEmpty();
    }

    @Test
    void aFailedAttemptSendsNoneOfTheRequestsItsSpiderDiscovered() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start("Frontier", "discover-fail", "3");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(frontier.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.exitCode()).isEqualTo(7);
            assertThat(failure.error()).isEqualTo("giving up");
        });
        assertThat(frontier.completeStreams()).isZero();
        assertThat(frontier.discoveredReceived()).isZero();
        assertThat(scratchFiles()).isEmpty();
    }

    @Test
    void inLocalModeTheDefaultTheSpiderIsToldSoGetsNoFileAndNothingIsDiscovered() throws Exception {
        frontier = FakeFrontier.start().batch(0, 1, 30, "https://a.example/1");

        InProcessAgent agent = start(null, "crawl");

        assertThat(agent.awaitExit(EXIT)).as(agent.err()).isEqualTo(ExitCodes.DONE);
        assertThat(agent.out()).contains("discovered Local unset");
        assertThat(frontier.completions()).singleElement().satisfies(completion -> {
            assertThat(completion.parts()).containsExactly(CompleteBatchPart.PartCase.HEADER,
                    CompleteBatchPart.PartCase.ITEMS);
            assertThat(completion.discovered()).isEmpty();
        });
        assertThat(agent.err()).contains("batch 0/1 (attempt 1): completed, 1 items stored")
                .doesNotContain("discovered requests sent");
    }

    /** The agent with the pod's environment, {@code KUBECRAWL_DISCOVERED} set to {@code mode} unless null. */
    private InProcessAgent start(String mode, String... spiderArguments) {
        Map<String, String> environment = InProcessAgent.podEnvironment(frontier.address());
        if (mode != null) {
            environment.put("KUBECRAWL_DISCOVERED", mode);
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), temp.resolve("spider.py").toString()));
        command.addAll(List.of(spiderArguments));
        return InProcessAgent.start(environment, InProcessAgent.fastOptions(workdir, scratch), command);
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
