package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static io.kubecrawl.e2e.ClusterUnderTest.kubectl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.e2e.cluster.SourceBuiltCluster;
import io.kubecrawl.e2e.controlplane.ControlPlane;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The control plane itself crashes in the middle of a crawl: kube-apiserver killed and started again, then etcd. The
 * operator keeps running through both (its container is not restarted): its informers reconnect, so a
 * {@code kubectl scale} made after each restart reaches the worker Job; its status writes resume, so the progress in
 * the status moves on; and the crawl ends Succeeded with every item exactly once.
 */
@ExtendWith(ClusterUnderTest.class)
@Order(6)
class ControlPlaneRestartOnClusterTest {
    private static final String NAMESPACE = "kubecrawl-control-plane";

    private static LoopbackQuotesSite site;
    private static QuotesExample example;

    @BeforeAll
    static void serveTheSite() throws java.io.IOException {
        // 240 pages of 300 ms each, one worker at first: the crawl outlasts two restarts of the control plane.
        site = new LoopbackQuotesSite(cluster().siteHosts(), 60, 5, Duration.ofMillis(300));
        example = new QuotesExample(cluster(), site);
    }

    @AfterAll
    static void stopTheSite() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aCrawlCarriesOnThroughKubeApiserverAndEtcdRestartsWithEveryItemOnce() throws Exception {
        Assumptions.assumeTrue(cluster() instanceof SourceBuiltCluster,
                "restarting kube-apiserver and etcd one at a time needs the source-built control plane; "
                        + "k3s runs both inside one container");
        ControlPlane controlPlane = ((SourceBuiltCluster) cluster()).controlPlane();
        int operatorRestarts = ChartOnClusterTest.restartCount(ChartOnClusterTest.operatorPod());
        assertThat(operatorRestarts).as("restarts of the operator's container, with its pod there").isNotNegative();
        example.apply(NAMESPACE, 1, 5);
        int doneBefore = awaitCrawlJob("batches done before the restarts", job -> isRunning(job)
                && job.getStatus().getBatches().getDone() > 0).getStatus().getBatches().getDone();

        controlPlane.restartApiServer();

        scale(2);
        int doneAfterApiServer = awaitCrawlJob("progress recorded after kube-apiserver restarted",
                job -> isRunning(job) && job.getStatus().getBatches().getDone() > doneBefore).getStatus()
                .getBatches().getDone();

        controlPlane.restartEtcd();

        scale(3);
        awaitCrawlJob("progress recorded after etcd restarted", job -> isRunning(job)
                && job.getStatus().getBatches().getDone() > doneAfterApiServer);
        CrawlJob done = awaitCrawlJob("the crawl finished", job -> job.getStatus().getPhase().isFinished());

        assertThat(done.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
        assertThat(ChartOnClusterTest.restartCount(ChartOnClusterTest.operatorPod()))
                .as("restarts of the operator's container").isEqualTo(operatorRestarts);
        HttpResponse<String> items = CrawlOnClusterTest.api().items(NAMESPACE, QuotesExample.NAME,
                CrawlOnClusterTest.adminToken());
        assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
        List<String> keys = QuotesExample.itemKeys(items.body());
        assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(example.expectedItemKeys());
        assertThat(done.getStatus().getItems()).isEqualTo(keys.size());
    }

    /** kubectl scale, then the worker Job's parallelism: only an operator whose informers reconnected follows it. */
    private static void scale(int workers) {
        Kubectl.Result scaled = await("kubectl scale to " + workers).atMost(TIMEOUT).until(
                () -> kubectl().run("scale", "crawljob/" + QuotesExample.NAME, "-n", NAMESPACE,
                        "--replicas=" + workers), result -> result.exitCode() == 0);
        assertThat(scaled.output()).contains("scaled");
        await("parallelism of the worker Job after scaling to " + workers).atMost(TIMEOUT).ignoreExceptions()
                .untilAsserted(() -> assertThat(client().batch().v1().jobs().inNamespace(NAMESPACE)
                        .withName(QuotesExample.NAME + "-workers").require().getSpec().getParallelism())
                        .isEqualTo(workers));
    }

    private static boolean isRunning(CrawlJob job) {
        return job.getStatus().getPhase() == CrawlJobPhase.Running && job.getStatus().getBatches() != null;
    }

    private static CrawlJob awaitCrawlJob(String alias, Predicate<CrawlJob> condition) {
        return await(alias).atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(QuotesExample.NAME)
                        .get(), job -> job != null && job.getStatus() != null && job.getStatus().getPhase() != null
                                && condition.test(job));
    }
}
