package io.kubecrawl.operator.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.operator.frontier.discovered.DiscoveredRequestStore;
import io.kubecrawl.operator.frontier.discovered.JobKey;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.items.ItemUpload;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.CrawlJobName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The items and logs of deleted CrawlJobs are deleted once the grace period has passed, their discovered requests and
 * frontiers at once; nothing else is.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OutputGarbageCollectorTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    OperatorSettings settings;

    /** The stores' own directory: other tests' outputs in the operator's data directory are not this test's. */
    Path dataDir;
    MockCluster cluster;
    ItemStore items;
    LogStore logs;
    DiscoveredRequestStore discovered;
    OutputGarbageCollector collector;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FrontierRegistry frontiers;
    JobMetrics metrics;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createTempDirectory("output-gc-test");
        cluster = new MockCluster(client, server.getKubernetesMockServer());
        items = new ItemStore(dataDir);
        logs = new LogStore(dataDir);
        discovered = DiscoveredRequestStore.open(dataDir.resolve("frontier"));
        frontiers = new FrontierRegistry(meters);
        metrics = new JobMetrics(meters);
        collector = new OutputGarbageCollector(client, List.of(items, logs), settings, Clock.fixed(NOW, ZoneOffset.UTC),
                discovered, frontiers, metrics);
    }

    @AfterEach
    void deleteDataDir() throws IOException {
        discovered.close();
        PathUtils.deleteDirectory(dataDir);
    }

    @Test
    void outputsOfADeletedJobAreCollectedAfterTheGracePeriodAndThoseOfAnExistingJobAreKept() throws Exception {
        cluster.crawlJob("alive", "quotes", 1);
        CrawlJobName alive = new CrawlJobName(cluster.namespace(), "alive");
        CrawlJobName deleted = new CrawlJobName(cluster.namespace(), "deleted");
        CrawlJobName deletedRecently = new CrawlJobName(cluster.namespace(), "deleted-recently");
        Duration grace = settings.outputs().gcGrace();
        for (CrawlJobName job : new CrawlJobName[] {alive, deleted, deletedRecently}) {
            writeOutputs(job);
        }
        age(alive, NOW.minus(grace.multipliedBy(2)));
        age(deleted, NOW.minus(grace.plusMinutes(1)));
        age(deletedRecently, NOW.minus(grace.minusMinutes(1)));

        OutputGarbageCollector.CollectedOutputs collected = collector.collect();

        assertThat(collected.outputs("items")).containsExactly(deleted);
        assertThat(collected.outputs("logs")).containsExactly(deleted);
        assertThat(items.jobs()).containsExactlyInAnyOrder(alive, deletedRecently);
        assertThat(logs.jobs()).containsExactlyInAnyOrder(alive, deletedRecently);
        assertThat(dataDir.resolve("items").resolve(cluster.namespace()).resolve("deleted")).doesNotExist();
        assertThat(dataDir.resolve("logs").resolve(cluster.namespace()).resolve("deleted")).doesNotExist();
        assertThat(items.count(alive)).isEqualTo(1);
        assertThat(logText(alive)).isEqualTo("a line\n");
        assertThat(collector.collect().outputs("items")).as("a second run finds nothing more").isEmpty();
    }

    @Test
    void aLogWrittenToRecentlyKeepsItsJobsOutputsThoughItsDirectoryIsOld() throws Exception {
        CrawlJobName deleted = new CrawlJobName(cluster.namespace(), "deleted");
        writeOutputs(deleted);
        age(deleted, NOW.minus(settings.outputs().gcGrace().multipliedBy(2)));
        // Appending changes the file's time, not its directory's.
        Path log = dataDir.resolve("logs").resolve(deleted.namespace()).resolve(deleted.name()).resolve("w-1.log");
        Files.setLastModifiedTime(log, FileTime.from(NOW));

        OutputGarbageCollector.CollectedOutputs collected = collector.collect();

        assertThat(collected.outputs("logs")).isEmpty();
        assertThat(collected.outputs("items")).containsExactly(deleted);
        assertThat(logText(deleted)).isEqualTo("a line\n");
    }

    @Test
    void discoveredRequestsOfADeletedJobAreCollectedAtOnceAndThoseOfTheJobNowUnderItsNameAreKept() throws Exception {
        String uid = cluster.crawlJob("renamed", "quotes", 1).getMetadata().getUid();
        JobKey current = JobKey.of(cluster.namespace(), "renamed", uid);
        JobKey earlier = JobKey.of(cluster.namespace(), "renamed", "uid-of-the-deleted-job");
        JobKey deleted = JobKey.of(cluster.namespace(), "deleted", "uid-of-another-deleted-job");
        for (JobKey job : new JobKey[] {current, earlier, deleted}) {
            discovered.markSeen(job, List.of(ByteString.copyFromUtf8("fingerprint of " + job)));
        }

        OutputGarbageCollector.CollectedOutputs collected = collector.collect();

        assertThat(collected.discovered()).containsExactlyInAnyOrder(earlier, deleted);
        assertThat(discovered.jobs()).containsExactly(current);
        assertThat(discovered.counts(current).commitSequence()).isPositive();
        assertThat(collector.collect().discovered()).as("a second run finds nothing more").isEmpty();
    }

    @Test
    void theFrontierAndSeriesOfAJobDeletedWhileItRanLeaveMemoryAndThoseOfTheJobNowUnderItsNameStay() throws Exception {
        String uid = cluster.crawlJob("recreated", "quotes", 1).getMetadata().getUid();
        CrawlJobName recreated = new CrawlJobName(cluster.namespace(), "recreated");
        CrawlJobName deleted = new CrawlJobName(cluster.namespace(), "deleted-while-running");
        Frontier current = frontier();
        frontiers.register(recreated, uid, current);
        metrics.track(recreated, current);
        Frontier orphaned = frontier();
        frontiers.register(deleted, "uid-of-the-deleted-job", orphaned);
        metrics.track(deleted, orphaned);

        OutputGarbageCollector.CollectedOutputs collected = collector.collect();

        assertThat(collected.frontiers()).containsExactly(deleted);
        assertThat(frontiers.find(deleted)).isEmpty();
        assertThat(frontiers.find(recreated, uid)).containsSame(current);
        assertThat(meters.getMeters()).as("series left").isNotEmpty().allSatisfy(meter -> assertThat(
                meter.getId().getTag("crawljob")).isIn(null, "recreated"));
        assertThat(collector.collect().frontiers()).as("a second run finds nothing more").isEmpty();
    }

    private static Frontier frontier() {
        FrontierLayout layout = FrontierLayout.of(List.of(new SeedRequest("https://quotes.example/page/1",
                "https://quotes.example/page/1")), Partitioning.Host, 1, 1);
        return Frontier.fresh(layout, new FrontierSettings(1, Duration.ofSeconds(30), 3, Duration.ofSeconds(1), 1));
    }

    private void writeOutputs(CrawlJobName job) throws IOException {
        ItemUpload upload = items.begin(job, new BatchId(0, 0));
        upload.append(("{\"job\":\"" + job.name() + "\"}\n").getBytes(StandardCharsets.UTF_8));
        upload.commit();
        logs.append(job, "w-1", "a line\n");
        logs.finish(job, "w-1");
    }

    /** Sets every file and directory of the job's outputs to {@code time}. */
    private void age(CrawlJobName job, Instant time) throws IOException {
        for (String store : new String[] {"items", "logs"}) {
            Path dir = dataDir.resolve(store).resolve(job.namespace()).resolve(job.name());
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.setLastModifiedTime(path, FileTime.from(time));
                }
            }
        }
    }

    private String logText(CrawlJobName job) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(logs.writeTo(job, "w-1", false, out)).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }
}
