package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.worker.Connection;
import io.kubecrawl.worker.OperatorAddress;
import io.kubecrawl.worker.OperatorTrust;
import io.kubecrawl.worker.TokenSource;
import org.junit.jupiter.api.Test;

class SpiderEnvironmentTest {
    private static final Batch BATCH = Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(2).setNumber(41))
            .setAttempt(3).setLeaseSeconds(30).build();
    private static final Path REQUESTS = Path.of("/tmp/kubecrawl/w-batch-2-41-3.requests");
    private static final Path ITEMS = Path.of("/tmp/kubecrawl/w-batch-2-41-3.items.jsonl");
    private static final Path DISCOVERED = Path.of("/tmp/kubecrawl/w-batch-2-41-3.discovered.jsonl");

    @Test
    void theSpiderInheritsTheAgentsEnvironmentAndLearnsItsJobBatchAndFiles() {
        Map<String, String> environment = SpiderEnvironment.of(
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/kubecrawl"), settings(List.of("sh", "spider.sh")),
                BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).containsAllEntriesOf(Map.of(
                "PATH", "/usr/bin:/bin",
                "HOME", "/home/kubecrawl",
                "KUBECRAWL_NAMESPACE", "crawls",
                "KUBECRAWL_JOB", "quotes-1",
                "KUBECRAWL_WORKER", "quotes-1-workers-x7k2p",
                "KUBECRAWL_BATCH", "2/41",
                "KUBECRAWL_BATCH_ATTEMPT", "3",
                "KUBECRAWL_BATCH_FILE", REQUESTS.toString(),
                "KUBECRAWL_ITEMS_FILE", ITEMS.toString()));
        assertThat(environment).doesNotContainKeys("SCRAPY_SETTINGS_MODULE", "PYTHONPATH");
        assertThat(environment).as("no minimum host delay: the spider's own")
                .containsEntry("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "0");
    }

    @Test
    void theSpiderGetsTheAgentsMinimumHostDelayWhateverTheContainerSaid() {
        Connection connection = new Connection(OperatorAddress.parse("127.0.0.1:9090"), "crawls", "quotes-1",
                "quotes-1-workers-x7k2p", TokenSource.configured(null, Map.of("KUBECRAWL_TOKEN", "t")).orElseThrow(),
                OperatorTrust.plaintext());
        List<String> command = List.of("scrapy", "crawl", "quotes");
        RunSettings settings = new RunSettings(connection, Path.of("/workspace"), command, Path.of("/tmp/kubecrawl"),
                true, Path.of("/opt/kubecrawl/python"), Duration.ofMinutes(10), Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMillis(200),
                Duration.ofSeconds(5), DiscoveryMode.LOCAL, Duration.ofMillis(250));

        Map<String, String> environment = SpiderEnvironment.of(Map.of("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "5"),
                settings, BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).containsEntry("KUBECRAWL_MIN_HOST_DELAY_MILLIS", "250");
    }

    @Test
    void inFrontierModeTheSpiderIsToldSoAndWhereItsDiscoveredRequestsGo() {
        Map<String, String> environment = SpiderEnvironment.of(Map.of("KUBECRAWL_DISCOVERED", "frontier"),
                settings(List.of("scrapy", "crawl", "quotes"), DiscoveryMode.FRONTIER), BATCH, REQUESTS, ITEMS,
                DISCOVERED);

        assertThat(environment).containsEntry("KUBECRAWL_DISCOVERED", "Frontier")
                .containsEntry("KUBECRAWL_DISCOVERED_FILE", DISCOVERED.toString());
    }

    @Test
    void inLocalModeTheSpiderIsToldSoAndGetsNoDiscoveredRequestsFileWhateverItInherits() {
        Map<String, String> environment = SpiderEnvironment.of(
                Map.of("KUBECRAWL_DISCOVERED", "", "KUBECRAWL_DISCOVERED_FILE", "/tmp/stale.jsonl"),
                settings(List.of("scrapy", "crawl", "quotes")), BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).containsEntry("KUBECRAWL_DISCOVERED", "Local")
                .doesNotContainKey("KUBECRAWL_DISCOVERED_FILE");
    }

    @Test
    void anInheritedAgentSocketIsNotPassedOnOnlyTheSessionNamesOne() {
        Map<String, String> environment = SpiderEnvironment.of(Map.of("KUBECRAWL_AGENT_SOCKET", "/tmp/other.sock"),
                settings(List.of("sh", "spider.sh")), BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).doesNotContainKey("KUBECRAWL_AGENT_SOCKET");
    }

    @Test
    void theWorkerTokenIsNotPassedOnToTheSpider() {
        Map<String, String> environment = SpiderEnvironment.of(Map.of("KUBECRAWL_TOKEN", "secret"),
                settings(List.of("sh", "spider.sh")), BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).doesNotContainKey("KUBECRAWL_TOKEN");
    }

    @Test
    void aScrapySpiderGetsTheHelperFirstOnItsPythonPathAndTheHelpersSettingsModule() {
        Map<String, String> environment = SpiderEnvironment.of(Map.of("PYTHONPATH", "/srv/lib"),
                settings(List.of("scrapy", "crawl", "quotes")), BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).containsEntry("PYTHONPATH", "/opt/kubecrawl/python:/srv/lib")
                .containsEntry("SCRAPY_SETTINGS_MODULE", "kubecrawl_scrapy.settings")
                .doesNotContainKey("KUBECRAWL_SCRAPY_PROJECT_SETTINGS");
    }

    @Test
    void aSettingsModuleThePodChoseIsHandedToTheHelperToWrap() {
        Map<String, String> environment = SpiderEnvironment.of(Map.of("SCRAPY_SETTINGS_MODULE", "quotes.prod"),
                settings(List.of("scrapy", "crawl", "quotes")), BATCH, REQUESTS, ITEMS, DISCOVERED);

        assertThat(environment).containsEntry("SCRAPY_SETTINGS_MODULE", "kubecrawl_scrapy.settings")
                .containsEntry("KUBECRAWL_SCRAPY_PROJECT_SETTINGS", "quotes.prod")
                .containsEntry("PYTHONPATH", "/opt/kubecrawl/python");
    }

    private static RunSettings settings(List<String> command) {
        return settings(command, DiscoveryMode.LOCAL);
    }

    private static RunSettings settings(List<String> command, DiscoveryMode discovered) {
        Connection connection = new Connection(OperatorAddress.parse("127.0.0.1:9090"), "crawls", "quotes-1",
                "quotes-1-workers-x7k2p", TokenSource.configured(null, Map.of("KUBECRAWL_TOKEN", "t")).orElseThrow(), OperatorTrust.plaintext());
        return new RunSettings(connection, Path.of("/workspace"), command, Path.of("/tmp/kubecrawl"),
                RunSettings.looksLikeScrapy(command), Path.of("/opt/kubecrawl/python"), Duration.ofMinutes(10),
                Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofMillis(200), Duration.ofSeconds(5), discovered);
    }
}
