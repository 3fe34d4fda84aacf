package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/**
 * A job whose status breaks an invariant fails on its own: a restarted operator recovers every other job as usual.
 * The restart is {@link FrontierRegistry#forgetAll()}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class InconsistentJobIsolationTest extends WorkerChannelTest {

    /** The shortest lease, so that the restarted frontier's grace period is short too (5 s). */
    private static final int LEASE_SECONDS = 5;

    @Inject
    FrontierRegistry frontiers;

    @Test
    void aJobWhoseStatusSaysCompletingWithWorkLeftFailsAndTheOtherJobSucceeds() {
        cluster.configMap("code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        startJob("broken");
        startJob("healthy");
        cluster.awaitCrawlJob("broken", this::hasFrontierRecorded);
        cluster.awaitCrawlJob("healthy", this::hasFrontierRecorded);

        // The operator is done writing the broken job's status: its writes, which do not lock on the resource
        // version, would otherwise overwrite the edit below.
        await("the broken job's status settled").atMost(MockCluster.TIMEOUT).during(Duration.ofSeconds(2))
                .until(() -> resourceVersionOf("broken"), new java.util.function.Predicate<String>() {
                    private String last;

                    @Override
                    public boolean test(String resourceVersion) {
                        boolean unchanged = resourceVersion.equals(last);
                        last = resourceVersion;
                        return unchanged;
                    }
                });
        frontiers.forgetAll();
        // A status no operator writes: Completing while no batch is finished.
        await("the status edited").atMost(MockCluster.TIMEOUT).ignoreExceptionsInstanceOf(
                KubernetesClientException.class).until(() -> cluster.client().resources(CrawlJob.class)
                        .inNamespace(cluster.namespace()).withName("broken").editStatus(c -> {
                            c.getStatus().setPhase(CrawlJobPhase.Completing);
                            return c;
                        }) != null);

        CrawlJobName healthyJob = new CrawlJobName(cluster.namespace(), "healthy");
        await("the healthy job's frontier rebuilt").atMost(MockCluster.TIMEOUT)
                .until(() -> frontiers.find(healthyJob).isPresent());
        WorkerClient worker = new WorkerClient(channel, healthyJob,
                WorkerClient.token(cluster.awaitSecret("healthy-worker-token")), "worker-1");
        await("the healthy job's grace period over").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    LeaseReply reply = worker.lease();
                    if (reply.hasBatch()) {
                        worker.complete(reply.getBatch(), List.of("{\"n\":1}"));
                    }
                    return reply.hasBatch();
                });
        worker.drain(batch -> worker.complete(batch, List.of("{\"n\":1}")));

        CrawlJob healthy = cluster.awaitCrawlJob("healthy", c -> c.getStatus().getPhase() == CrawlJobPhase.Succeeded);
        assertThat(healthy.getStatus().getItems()).isEqualTo(2);
        CrawlJob broken = cluster.awaitCrawlJob("broken", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed);
        assertThat(broken.getStatus().condition("Failed").orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("True", "CompletingWithWorkLeft");
        assertThat(broken.getStatus().getBatches().getDone()).isZero();
        cluster.awaitEventReasons("CompletingWithWorkLeft");
        assertThat(cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems())
                .filteredOn(e -> "CompletingWithWorkLeft".equals(e.getReason()))
                .extracting(Event::getType).containsOnly("Warning");
    }

    private String resourceVersionOf(String name) {
        return cluster.client().resources(CrawlJob.class).inNamespace(cluster.namespace()).withName(name).require()
                .getMetadata().getResourceVersion();
    }

    private boolean hasFrontierRecorded(CrawlJob crawlJob) {
        return crawlJob.getStatus() != null && crawlJob.getStatus().getSeedsDigest() != null
                && crawlJob.getStatus().getBatches() != null;
    }

    /** A job of 4 seeds in one slot of 2 batches. */
    private void startJob(String name) {
        cluster.crawlJob(name, "quotes", 1, spec -> {
            spec.setSeeds(IntStream.range(0, 4).mapToObj(i -> "http://" + name + ".test/" + i).toList());
            FrontierSpec frontier = new FrontierSpec();
            frontier.setPartitioning(Partitioning.None);
            frontier.setSlots(1);
            frontier.setBatchSize(2);
            frontier.setLeaseSeconds(LEASE_SECONDS);
            frontier.setMaxBatchesPerWorker(1);
            spec.setFrontier(frontier);
        });
    }
}
