package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator killed at named points on the real control plane, and started again as a new process of the same pod,
 * against the same API server and the same volume: the chart's {@code extraEnv} arms one kill point
 * (KUBECRAWL_TEST_KILL_POINTS) per test, the operator halts there as SIGKILL would, the test node restarts its
 * container, and the job must still end Succeeded with every item exactly once. Each point is a test case, not a
 * race: the process dies exactly there.
 */
@ExtendWith(ClusterUnderTest.class)
@Order(5)
class KillPointsOnClusterTest {
    private static final String NAMESPACE = "kubecrawl-kill";
    private static final Pattern ATTEMPT = Pattern.compile("batch (\\d+/\\d+) \\(attempt (\\d+)\\)");
    /** How the worker reports a failed call to the operator: "... failed (UNAVAILABLE: io exception ...)". */
    private static final Pattern GRPC_FAILURE = Pattern.compile("\\(([A-Z_]{5,}): (RST_STREAM closed stream)?");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Batches run more than once, by kill point: the suite prints them all at the end. */
    private static final Map<String, Integer> RUN_TWICE = new LinkedHashMap<>();

    private static LoopbackQuotesSite site;
    private static QuotesExample example;
    /** Pages that answer after 3 s: a batch outlasts the renewal period of a 5 s lease. */
    private static LoopbackQuotesSite slowSite;
    private static QuotesExample slowExample;

    @BeforeAll
    static void serveTheSiteAndApplyTheSpider() throws Exception {
        site = new LoopbackQuotesSite(cluster().siteHosts(), 20, 5, Duration.ofMillis(100));
        example = new QuotesExample(cluster(), site);
        example.apply(NAMESPACE, 2, 4);
        awaitFinished(QuotesExample.NAME);
        slowSite = new LoopbackQuotesSite(cluster().siteHosts(), 5, 5, Duration.ofSeconds(3));
        slowExample = new QuotesExample(cluster(), slowSite);
    }

    @AfterAll
    static void report() {
        if (site != null) {
            site.close();
        }
        if (slowSite != null) {
            slowSite.close();
        }
        System.out.println("batches run more than once, by kill point: " + RUN_TWICE + "; in all "
                + RUN_TWICE.values().stream().mapToInt(Integer::intValue).sum());
    }

    static Stream<Arguments> crawlKillPoints() {
        return Stream.of(Arguments.of("TOKEN_CREATED", false), Arguments.of("WORKER_JOB_CREATED", false),
                Arguments.of("BUNDLE_STREAMING", false), Arguments.of("BATCH_LEASED", false),
                // Workers renew every third of the lease: on the slow site with a 5 s lease, during every batch. The
                // restarted operator then dies again as it rebuilds the job's frontier.
                Arguments.of("LEASE_RENEWED FRONTIER_RESTORED", true), Arguments.of("ITEMS_COMMITTED", false),
                Arguments.of("CHECKPOINT_WRITTEN", false), Arguments.of("COMPLETING_RECORDED", false),
                Arguments.of("OUTPUTS_FINALIZED", false));
    }

    @ParameterizedTest(name = "killed at {0}, the crawl still ends Succeeded with every item once")
    @MethodSource("crawlKillPoints")
    void aCrawlSurvivesTheOperatorKilledAt(String points, boolean slow) throws Exception {
        String name = "killed-" + points.toLowerCase(Locale.ROOT).replace('_', '-').replace(" ", "-and-");
        QuotesExample crawled = slow ? slowExample : example;
        int restarts = arm(points);

        crawled.createCrawlJob(NAMESPACE, name, 2, 4, slow ? 5 : 15);

        awaitRestarts(restarts + points.split(" ").length, points);
        CrawlJob done = awaitFinished(name);
        assertThat(done.getStatus().getPhase()).as("phase of %s", name).isEqualTo(CrawlJobPhase.Succeeded);
        assertItemsExactlyOnce(name, crawled);
        assertWorkersSawOnlyUnavailableAndExitedZero(name);
        RUN_TWICE.put(points, batchesRunTwice(name));
    }

    @Test
    void aFinishedJobIsNotRerunWhenTheOperatorDiesRightAfterSucceeded() throws Exception {
        String name = "killed-succeeded-recorded";
        int restarts = arm("SUCCEEDED_RECORDED");
        example.createCrawlJob(NAMESPACE, name, 2, 4, 15);

        awaitRestarts(restarts + 1, "SUCCEEDED_RECORDED");
        CrawlJob done = awaitFinished(name);
        Job workers = workerJob(name);
        await("the restarted operator ready").atMost(TIMEOUT)
                .until(() -> ChartOnClusterTest.isReady(ChartOnClusterTest.operatorPod()));

        // A restarted operator reconciles every job at once: for a while after that, nothing of this one moves.
        await("the finished job left as it was").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> {
                    CrawlJob after = client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name)
                            .require();
                    assertThat(after.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
                    assertThat(after.getStatus().getItems()).isEqualTo(done.getStatus().getItems());
                    assertThat(after.getStatus().getBatches().getDone())
                            .isEqualTo(done.getStatus().getBatches().getDone());
                    assertThat(after.getStatus().getCompletionTime())
                            .isEqualTo(done.getStatus().getCompletionTime());
                    assertThat(workerJob(name).getMetadata().getUid()).as("the worker Job, not recreated")
                            .isEqualTo(workers.getMetadata().getUid());
                });
        assertItemsExactlyOnce(name, example);
    }

    /**
     * A status that breaks an invariant, written while the operator is down (a Completing job with no batch done):
     * the restarted operator fails that job with a condition naming the invariant and a Warning Event, and carries
     * the other job, stopped at the same moment, on to Succeeded with every item once.
     */
    @Test
    void aJobWithAnInconsistentStatusFailsAloneWhileTheOtherJobGoesOn() throws Exception {
        String broken = "inconsistent-broken";
        String healthy = "inconsistent-healthy";
        // Held answers keep every batch of both jobs in flight: none is done when the status is rewritten.
        slowSite.hold();
        try {
            slowExample.createCrawlJob(NAMESPACE, broken, 1, 4, 5);
            slowExample.createCrawlJob(NAMESPACE, healthy, 2, 4, 5);
            await("both jobs Running with their frontier recorded").atMost(TIMEOUT).until(() -> Stream.of(broken,
                    healthy).allMatch(name -> isRunningWithFrontier(client().resources(CrawlJob.class)
                            .inNamespace(NAMESPACE).withName(name).get())));

            scaleOperator(0);
            await("the operator's pods gone").atMost(TIMEOUT).until(() -> client().pods()
                    .inNamespace(KubecrawlChart.NAMESPACE)
                    .withLabel("app.kubernetes.io/instance", KubecrawlChart.RELEASE).list().getItems().isEmpty());
            // A status no operator writes: Completing while no batch is done.
            client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(broken).editStatus(job -> {
                job.getStatus().setPhase(CrawlJobPhase.Completing);
                return job;
            });
            scaleOperator(1);
            await("the operator back").atMost(TIMEOUT)
                    .until(() -> ChartOnClusterTest.isReady(ChartOnClusterTest.operatorPod()));
        } finally {
            slowSite.release();
        }

        CrawlJob failed = awaitFinished(broken);
        assertThat(failed.getStatus().getPhase()).as("phase of %s", broken).isEqualTo(CrawlJobPhase.Failed);
        assertThat(failed.getStatus().condition("Failed")).as("Failed condition of %s", broken).hasValueSatisfying(
                condition -> {
                    assertThat(condition.getStatus()).isEqualTo("True");
                    assertThat(condition.getReason()).isEqualTo("CompletingWithWorkLeft");
                });
        assertThat(client().v1().events().inNamespace(NAMESPACE).list().getItems())
                .filteredOn(event -> broken.equals(event.getInvolvedObject().getName())
                        && "CompletingWithWorkLeft".equals(event.getReason()))
                .as("CompletingWithWorkLeft Events of %s", broken).isNotEmpty()
                .extracting(io.fabric8.kubernetes.api.model.Event::getType).containsOnly("Warning");

        CrawlJob done = awaitFinished(healthy);
        assertThat(done.getStatus().getPhase()).as("phase of %s", healthy).isEqualTo(CrawlJobPhase.Succeeded);
        assertItemsExactlyOnce(healthy, slowExample);
        assertWorkersSawOnlyUnavailableAndExitedZero(healthy);
    }

    private static boolean isRunningWithFrontier(CrawlJob job) {
        return job != null && job.getStatus() != null && job.getStatus().getPhase() == CrawlJobPhase.Running
                && job.getStatus().getSeedsDigest() != null && job.getStatus().getBatches() != null;
    }

    /** The operator's Deployment scaled as {@code kubectl scale} would; the next chart upgrade sets it back. */
    private static void scaleOperator(int replicas) {
        client().apps().deployments().inNamespace(KubecrawlChart.NAMESPACE).withName(KubecrawlChart.RELEASE)
                .scale(replicas);
    }

    @ParameterizedTest(name = "killed at {0}, an upload sent again succeeds and nothing half-stored shows")
    @ValueSource(strings = {"UPLOAD_RECEIVING", "UPLOAD_STORED"})
    void anUploadInterruptedByTheOperatorsDeathCanBeSentAgain(String point) throws Exception {
        String spiderName = "upload-" + point.toLowerCase(Locale.ROOT).replace('_', '-');
        Spider spider = client().resources(Spider.class).inNamespace(NAMESPACE).withName(QuotesExample.NAME)
                .require();
        Spider uploaded = new Spider();
        uploaded.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(spiderName)
                .withNamespace(NAMESPACE).build());
        uploaded.setSpec(spider.getSpec());
        uploaded.getSpec().getSource().setConfigMap(null);
        uploaded.getSpec().getSource().setUpload(new io.kubecrawl.crd.v1alpha1.UploadSource());
        client().resource(uploaded).create();
        Path archive = Files.createTempFile("quotes-", ".tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C",
                Checkout.ROOT.resolve("examples/quotes/project").toString(), ".").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        int restarts = arm(point);

        try {
            HttpResponse<String> cut = CrawlOnClusterTest.api().upload(NAMESPACE, spiderName, archive,
                    CrawlOnClusterTest.adminToken());
            assertThat(cut.statusCode()).as("an upload whose operator died answered %s", cut.body())
                    .isNotEqualTo(200);
        } catch (java.io.IOException connectionLost) {
            // What a client sees of a server killed in the middle of its request.
        }
        awaitRestarts(restarts + 1, point);
        assertThat(client().resources(Spider.class).inNamespace(NAMESPACE).withName(spiderName).require()
                .getStatus().getBundle()).as("bundle of the Spider after the cut-off upload").isNull();

        HttpResponse<String> again = await("the upload, sent again").atMost(TIMEOUT).ignoreExceptions()
                .until(() -> CrawlOnClusterTest.api().upload(NAMESPACE, spiderName, archive,
                        CrawlOnClusterTest.adminToken()), answer -> answer.statusCode() == 200);
        await("Spider " + spiderName + " with the uploaded bundle").atMost(TIMEOUT).untilAsserted(() -> {
            Spider ready = client().resources(Spider.class).inNamespace(NAMESPACE).withName(spiderName).require();
            assertThat(ready.getStatus().getBundle()).isNotNull();
            assertThat(again.body()).contains(ready.getStatus().getBundle().getDigest());
        });
        Files.delete(archive);
    }

    /**
     * Arms the kill points through the chart, as a user changes any value: the Deployment rolls to a new pod that
     * has them. Returns the restart count of that pod's operator container.
     */
    private static int arm(String points) {
        // A job left unfinished by an earlier test would reach FRONTIER_RESTORED at the armed pod's first start.
        assertThat(client().resources(CrawlJob.class).inAnyNamespace().list().getItems())
                .filteredOn(job -> job.getStatus() == null || job.getStatus().getPhase() == null
                        || !job.getStatus().getPhase().isFinished())
                .as("CrawlJobs unfinished before arming %s", points)
                .extracting(job -> job.getMetadata().getNamespace() + "/" + job.getMetadata().getName()).isEmpty();
        KubecrawlChart.upgrade(cluster().kubeConfig(), cluster().operatorImage(), cluster().workerImage(), Map.of(
                "extraEnv[0].name", "KUBECRAWL_TEST_KILL_POINTS", "extraEnv[0].value", points),
                TIMEOUT);
        Pod operator = await("the operator's pod with kill points " + points).atMost(TIMEOUT)
                .until(ChartOnClusterTest::operatorPod, pod -> ChartOnClusterTest.isReady(pod)
                        && pod.getSpec().getContainers().get(0).getEnv().stream()
                                .anyMatch(var -> points.equals(var.getValue())));
        return ChartOnClusterTest.restartCount(operator);
    }

    private static void awaitRestarts(int count, String points) {
        await("the operator halted at " + points + " and restarted").atMost(TIMEOUT)
                .until(() -> ChartOnClusterTest.restartCount(ChartOnClusterTest.operatorPod()) >= count);
    }


    private static CrawlJob awaitFinished(String name) {
        return await("CrawlJob " + name + " finished").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name).get(),
                        job -> job != null && job.getStatus() != null && job.getStatus().getPhase() != null
                                && job.getStatus().getPhase().isFinished());
    }

    private static Job workerJob(String name) {
        return client().batch().v1().jobs().inNamespace(NAMESPACE).withName(name + "-workers").require();
    }

    private static void assertItemsExactlyOnce(String name, QuotesExample crawled) throws Exception {
        HttpResponse<String> items = CrawlOnClusterTest.api().items(NAMESPACE, name, CrawlOnClusterTest.adminToken());
        assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
        List<String> keys = QuotesExample.itemKeys(items.body());
        assertThat(keys).as("items of " + name).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(crawled.expectedItemKeys());
    }

    /**
     * While the operator was down or restarting, the workers' calls failed only with UNAVAILABLE, which they retry
     * (connection refused or reset, or the restarted operator not ready yet), or with the stream reset that an
     * operator shutting down gracefully gives a call in flight (INTERNAL "RST_STREAM closed stream", retried too),
     * never another gRPC status; and each worker pod ended with exit code 0 once the job was over.
     */
    private static void assertWorkersSawOnlyUnavailableAndExitedZero(String name) throws Exception {
        await("the worker Job of " + name + " complete").atMost(TIMEOUT)
                .until(() -> CrawlOnClusterTest.isComplete(workerJob(name)));
        List<Pod> pods = client().pods().inNamespace(NAMESPACE).withLabel("kubecrawl.io/crawljob", name).list()
                .getItems();
        assertThat(pods).as("worker pods of %s", name).isNotEmpty().allSatisfy(pod -> assertThat(
                pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
                .as("exit code of %s", pod.getMetadata().getName()).isZero());
        HttpResponse<String> workers = CrawlOnClusterTest.api().logs(NAMESPACE, name, null,
                CrawlOnClusterTest.adminToken());
        Set<String> codes = new HashSet<>();
        for (JsonNode worker : JSON.readTree(workers.body())) {
            Matcher code = GRPC_FAILURE.matcher(CrawlOnClusterTest.api().logs(NAMESPACE, name, worker.asText(),
                    CrawlOnClusterTest.adminToken()).body());
            while (code.find()) {
                codes.add(code.group(2) == null ? code.group(1) : "stream reset");
            }
        }
        assertThat(codes).as("gRPC statuses the workers of %s reported", name)
                .isSubsetOf("UNAVAILABLE", "stream reset");
    }

    /** Batches that some worker's log shows with an attempt after the first. */
    private static int batchesRunTwice(String name) throws Exception {
        HttpResponse<String> workers = CrawlOnClusterTest.api().logs(NAMESPACE, name, null,
                CrawlOnClusterTest.adminToken());
        Set<String> again = new HashSet<>();
        for (JsonNode worker : JSON.readTree(workers.body())) {
            String log = CrawlOnClusterTest.api().logs(NAMESPACE, name, worker.asText(),
                    CrawlOnClusterTest.adminToken()).body();
            Matcher attempt = ATTEMPT.matcher(log);
            while (attempt.find()) {
                if (Integer.parseInt(attempt.group(2)) > 1) {
                    again.add(attempt.group(1));
                }
            }
        }
        return again.size();
    }
}
