package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static io.kubecrawl.e2e.ClusterUnderTest.kubectl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The examples crawled on a real cluster, as a user would run them: examples/quotes applied ({@link QuotesExample},
 * starting with one worker and batches of five), the crawl scaled with
 * {@code kubectl scale}, suspended and resumed, the operator's pod deleted in the middle of it, and the CrawlJob
 * deleted at the end. One crawl goes through all of it in order: each test starts where the previous one stopped.
 */
@ExtendWith(ClusterUnderTest.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(4)
class CrawlOnClusterTest {
    static final String NAMESPACE = "kubecrawl-e2e";
    private static final String CRAWLJOB = QuotesExample.NAME;
    /** A CrawlJob made to fail (its seed is not a URL), for kstatus' Failed. */
    static final String FAILING = "quotes-invalid-seeds";
    private static final String CRAWLJOB_LABEL = "kubecrawl.io/crawljob";
    private static final int PAGES_PER_HOST = 150;
    private static final int QUOTES_PER_PAGE = 10;

    private static LoopbackQuotesSite site;
    private static QuotesExample example;
    private static MetricsRecorder metrics;
    /** {@code kubectl wait --for=condition=Complete}, started while the job runs. */
    private static Process kubectlWait;
    private static final Path KUBECTL_WAIT_OUTPUT = Path.of("target/metrics/kubectl-wait.txt");

    @BeforeAll
    static void serveTheSiteAndApplyTheExamples() throws IOException {
        // The first test asks kstatus about the job while it runs: built now, the build is not timed by the crawl.
        if (Kstatus.available()) {
            Kstatus.build();
        }
        // Each page answers after 200 ms, as a remote site would: the crawl lasts long enough to be scaled,
        // suspended and restarted while it runs.
        site = new LoopbackQuotesSite(cluster().siteHosts(), PAGES_PER_HOST, QUOTES_PER_PAGE, Duration.ofMillis(200));
        example = new QuotesExample(cluster(), site);
        metrics = new MetricsRecorder(() -> cluster().operatorHttp(KubecrawlChart.NAMESPACE, KubecrawlChart.RELEASE),
                Path.of("target/metrics/crawl-on-cluster.jsonl"));
        example.apply(NAMESPACE, 1, 5);
    }

    @AfterAll
    static void stopTheSite() {
        if (metrics != null) {
            metrics.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    @Order(1)
    void theCrawlJobRunsItsWorkerJobUnderTheChartsOperator() throws IOException {
        CrawlJob running = awaitCrawlJob(job -> job.getStatus() != null
                && job.getStatus().getPhase() == CrawlJobPhase.Running
                && job.getStatus().getBatches() != null && job.getStatus().getBatches().getDone() > 0);

        assertThat(running.getStatus().getObservedGeneration()).isEqualTo(running.getMetadata().getGeneration());
        Job workers = workerJob();
        assertThat(workers.getMetadata().getOwnerReferences()).anySatisfy(owner -> {
            assertThat(owner.getKind()).isEqualTo("CrawlJob");
            assertThat(owner.getName()).isEqualTo(CRAWLJOB);
        });
        assertThat(workers.getSpec().getParallelism()).isEqualTo(1);
        assertWorkersTrustTheOperatorsGrpcCa(workers);
        assumeKstatus();
        assertThat(Kstatus.of(cluster().kubeConfig(), "CrawlJob", NAMESPACE, CRAWLJOB).status())
                .as("kstatus of the running job").isEqualTo("InProgress");
    }

    @Test
    @Order(2)
    void kubectlWaitForTheCompleteConditionIsStartedWhileTheJobRuns() throws Exception {
        java.nio.file.Files.createDirectories(KUBECTL_WAIT_OUTPUT.getParent());
        kubectlWait = new ProcessBuilder(cluster().kubectl().toString(), "--kubeconfig",
                cluster().kubeConfig().toString(), "wait", "--for=condition=Complete", "crawljob/" + CRAWLJOB, "-n",
                NAMESPACE, "--timeout=" + TIMEOUT.multipliedBy(4).toSeconds() + "s").redirectErrorStream(true)
                .redirectOutput(KUBECTL_WAIT_OUTPUT.toFile()).start();

        assertThat(crawlJob().getStatus().getPhase()).isEqualTo(CrawlJobPhase.Running);
        assertThat(kubectlWait.isAlive()).as("kubectl wait does not return while the job runs").isTrue();
    }

    @Test
    @Order(3)
    void kubectlScaleChangesTheWorkersAndTheJobsParallelismFollows() throws Exception {
        Kubectl.Result scaled = kubectl().run("scale", "crawljob/" + CRAWLJOB, "-n", NAMESPACE, "--replicas=3");

        assertThat(scaled.exitCode()).as(scaled.output()).isZero();
        assertThat(scaled.output()).contains("crawljob.kubecrawl.io/" + CRAWLJOB + " scaled");
        assertThat(crawlJob().getSpec().getWorkers()).isEqualTo(3);
        await("parallelism of the worker Job").atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(workerJob().getSpec().getParallelism()).isEqualTo(3));
        await("three worker pods running").atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(workerPods().stream().filter(CrawlOnClusterTest::isRunning)).hasSize(3));
    }

    @Test
    @Order(4)
    void suspendingStopsTheWorkersAndResumingStartsThemAgain() {
        patchSpec("{\"spec\":{\"suspend\":true}}");

        awaitCrawlJob(job -> job.getStatus().getPhase() == CrawlJobPhase.Suspended);
        await("worker Job suspended, its pods gone").atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(workerJob().getSpec().getSuspend()).isTrue();
            assertThat(workerJob().getStatus().getActive()).as("active pods of the suspended Job").isIn(null, 0);
            assertThat(workerPods()).as("worker pods of the suspended Job").allMatch(CrawlOnClusterTest::isOver);
        });
        int doneWhileSuspended = crawlJob().getStatus().getBatches().getDone();

        patchSpec("{\"spec\":{\"suspend\":false}}");

        awaitCrawlJob(job -> job.getStatus().getPhase() == CrawlJobPhase.Running
                && job.getStatus().getBatches().getDone() > doneWhileSuspended);
        assertThat(workerJob().getSpec().getSuspend()).isFalse();
    }

    @Test
    @Order(5)
    void theOperatorsPodDeletedInTheMiddleOfTheCrawlIsReplacedAndTheJobResumes() {
        // The site holds its answers while the operator is replaced: the crawl is certainly still running when the
        // pod goes, and cannot finish before its replacement is up, however fast or slow the machine.
        site.hold();
        int doneBefore;
        try {
            Pod operator = ChartOnClusterTest.operatorPod();
            CrawlJob before = crawlJob();
            doneBefore = before.getStatus().getBatches().getDone();
            assertThat(before.getStatus().getPhase()).as("still crawling when the operator goes: %s", describe(before))
                    .isEqualTo(CrawlJobPhase.Running);
            assertThat(doneBefore).as("batches left when the operator goes")
                    .isLessThan(before.getStatus().getBatches().getTotal());

            client().pods().inNamespace(KubecrawlChart.NAMESPACE).withName(operator.getMetadata().getName()).delete();

            Pod replacement = await("a new operator pod, ready").atMost(TIMEOUT).until(ChartOnClusterTest::operatorPod,
                    pod -> pod != null && !pod.getMetadata().getUid().equals(operator.getMetadata().getUid())
                            && ChartOnClusterTest.isReady(pod));
            assertThat(replacement.getMetadata().getName()).isNotEqualTo(operator.getMetadata().getName());
        } finally {
            site.release();
        }
        CrawlJob done = awaitCrawlJob(job -> job.getStatus().getPhase().isFinished());
        assertThat(done.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
        assertThat(done.getStatus().getBatches().getDone()).isGreaterThan(doneBefore);
    }

    @Test
    @Order(6)
    void kubectlWaitReturnedWhenTheJobSucceededAndKstatusSaysCurrentThenFailedForAFailedJob() throws Exception {
        assertThat(kubectlWait).as("started while the job ran").isNotNull();
        assertThat(kubectlWait.waitFor(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String output = java.nio.file.Files.readString(KUBECTL_WAIT_OUTPUT);
        System.out.println("kubectl wait --for=condition=Complete: exit " + kubectlWait.exitValue() + ": " + output);
        assertThat(kubectlWait.exitValue()).as(output).isZero();
        assertThat(output).contains("crawljob.kubecrawl.io/" + CRAWLJOB + " condition met");
        assertThat(crawlJob().getStatus().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);

        assumeKstatus();
        Kstatus.Result succeeded = Kstatus.of(cluster().kubeConfig(), "CrawlJob", NAMESPACE, CRAWLJOB);
        System.out.println("kstatus of the succeeded job: " + succeeded);
        assertThat(succeeded.status()).isEqualTo("Current");

        CrawlJob broken = crawlJob();
        CrawlJob failing = new CrawlJob();
        failing.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(FAILING)
                .withNamespace(NAMESPACE).build());
        failing.setSpec(broken.getSpec());
        failing.getSpec().setSeeds(List.of("not a URL"));
        failing.getSpec().setSeedsFrom(null);
        client().resource(failing).create();
        try {
            await("CrawlJob " + FAILING + " failed").atMost(TIMEOUT).until(() -> {
                CrawlJob job = client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(FAILING).get();
                return job.getStatus() != null && job.getStatus().getPhase() == CrawlJobPhase.Failed;
            });
            Kstatus.Result failed = Kstatus.of(cluster().kubeConfig(), "CrawlJob", NAMESPACE, FAILING);
            System.out.println("kstatus of the failed job: " + failed);
            assertThat(failed.status()).isEqualTo("Failed");
            assertThat(failed.message()).as("the Stalled condition's message").isNotBlank();
        } finally {
            client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(FAILING).delete();
        }
    }

    @Test
    @Order(7)
    void everyItemArrivesExactlyOnceThroughTheItemsApi() throws Exception {
        CrawlJob done = crawlJob();
        HttpResponse<String> items = api().items(NAMESPACE, CRAWLJOB, adminToken());

        assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
        List<String> keys = QuotesExample.itemKeys(items.body());
        List<String> expected = example.expectedItemKeys();
        assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(done.getStatus().getItems()).isEqualTo(expected.size());
        assertThat(done.getStatus().getBatches().getDone()).isEqualTo(done.getStatus().getBatches().getTotal());
    }

    @Test
    @Order(8)
    void eachWorkersLogIsReadableAfterItsPodIsGone() throws Exception {
        await("worker Job complete").atMost(TIMEOUT).untilAsserted(() -> {
            Job job = workerJob();
            assertThat(isComplete(job)).as(() -> describe(job, workerPods())).isTrue();
        });
        List<String> workers = workerPods().stream().map(pod -> pod.getMetadata().getName()).toList();
        assertThat(workers).isNotEmpty();

        client().pods().inNamespace(NAMESPACE).withLabel(CRAWLJOB_LABEL, CRAWLJOB).delete();
        await("worker pods gone").atMost(TIMEOUT).until(() -> workerPods().isEmpty());

        HttpResponse<String> names = api().logs(NAMESPACE, CRAWLJOB, null, adminToken());
        assertThat(names.statusCode()).as(names.body()).isEqualTo(200);
        for (String worker : workers) {
            assertThat(names.body()).contains(worker);
            HttpResponse<String> log = api().logs(NAMESPACE, CRAWLJOB, worker, adminToken());
            assertThat(log.statusCode()).as("log of %s: %s", worker, log.body()).isEqualTo(200);
            assertThat(log.body()).as("log of %s", worker).isNotBlank();
        }
    }

    @Test
    @Order(9)
    void theJobsSeriesWereOnThePrometheusEndpointWhileItRanAndAreGoneSinceItSucceeded() {
        String job = "crawljob=\"" + CRAWLJOB + "\",namespace=\"" + NAMESPACE + "\"";
        await("a scrape after the job succeeded").atMost(TIMEOUT).until(() -> metrics.scrapes().stream()
                .anyMatch(scrape -> scrape.text().contains("kubecrawl_status_updates_total")
                        && !scrape.text().contains(job)));
        List<MetricsRecorder.Scrape> scrapes = metrics.scrapes();
        MetricsRecorder.Scrape richest = scrapes.stream()
                .filter(scrape -> scrape.text().contains("kubecrawl_job_pages_total{" + job))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError(
                        "no scrape of " + scrapes.size() + " showed the job's pages"));
        System.out.println("The job's series in the last scrape that had them (" + scrapes.size()
                + " scrapes recorded in " + metrics.file() + "):\n" + richest.text().lines()
                .filter(line -> line.contains(job) || line.startsWith("kubecrawl_reconcile_duration")
                        || line.startsWith("kubecrawl_status_updates_total"))
                .collect(java.util.stream.Collectors.joining("\n")));
        assertThat(richest.text()).containsPattern("kubecrawl_job_pages_total\\{" + job + "} [1-9]")
                .containsPattern("kubecrawl_job_items_total\\{" + job + "} [1-9]")
                .contains("kubecrawl_job_batches{" + job + ",state=\"done\"}",
                        "kubecrawl_job_leases{" + job + "}",
                        "kubecrawl_job_frontier_requests{" + job + ",state=\"queued\"}",
                        "kubecrawl_job_uploaded_bytes_total{crawljob=\"" + CRAWLJOB + "\",kind=\"items\",namespace=\""
                                + NAMESPACE + "\"}",
                        "kubecrawl_reconcile_duration_seconds_count{controller=\"crawljob\"}",
                        "kubecrawl_status_updates_total{kind=\"CrawlJob\",outcome=\"written\"}");
        assertThat(scrapes).as("no series carries a URL or a host")
                .allSatisfy(scrape -> assertThat(scrape.text()).doesNotContain("http://", "host="));
        assertThat(scrapes.get(scrapes.size() - 1).text()).doesNotContain(job);
    }

    @Test
    @Order(10)
    void deletingTheCrawlJobCollectsItsJobPodsAndSecret() {
        String uid = crawlJob().getMetadata().getUid();
        assertThat(client().secrets().inNamespace(NAMESPACE).list().getItems())
                .as("the worker token Secret, owned by the CrawlJob")
                .anySatisfy(secret -> assertThat(secret.getMetadata().getOwnerReferences())
                        .anyMatch(owner -> owner.getUid().equals(uid)));

        client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(CRAWLJOB).delete();

        await("the CrawlJob's children collected by the garbage collector").atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client().batch().v1().jobs().inNamespace(NAMESPACE).withLabel(CRAWLJOB_LABEL, CRAWLJOB).list()
                    .getItems()).isEmpty();
            assertThat(workerPods()).isEmpty();
            assertThat(client().secrets().inNamespace(NAMESPACE).list().getItems())
                    .noneMatch(secret -> secret.getMetadata().getOwnerReferences().stream()
                            .anyMatch(owner -> owner.getUid().equals(uid)));
        });
    }

    /**
     * gRPC is TLS by default: the operator made its CA and serving certificate into its Secret, the job's Secret
     * carries that CA, and the worker pods read it from there (and are running, so they verified the operator with it).
     */
    private static void assertWorkersTrustTheOperatorsGrpcCa(Job workers) {
        Secret serving = client().secrets().inNamespace(KubecrawlChart.NAMESPACE)
                .withName(KubecrawlChart.RELEASE + "-grpc-tls").get();
        assertThat(serving).as("the operator's gRPC certificate Secret").isNotNull();
        assertThat(serving.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(serving.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
        Secret token = client().secrets().inNamespace(NAMESPACE).withName(CRAWLJOB + "-worker-token").get();
        assertThat(token.getData()).as("the job's Secret").containsEntry("ca.crt", serving.getData().get("ca.crt"));
        List<EnvVar> env = workers.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).anySatisfy(variable -> {
            assertThat(variable.getName()).isEqualTo("KUBECRAWL_OPERATOR_CA");
            assertThat(variable.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ca.crt");
        });
        assertThat(env).noneMatch(variable -> variable.getName().equals("KUBECRAWL_OPERATOR_PLAINTEXT"));
    }

    private static void assumeKstatus() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kstatus.available(),
                "skipped: no Go toolchain to build e2e/kstatus (the k3s backend does not need one otherwise)");
    }

    static boolean isComplete(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                .stream().anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static void patchSpec(String mergePatch) {
        client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(CRAWLJOB)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    static OperatorApi api() {
        return new OperatorApi(cluster().operatorHttp(KubecrawlChart.NAMESPACE, KubecrawlChart.RELEASE));
    }

    static String adminToken() {
        return cluster().admin().getConfiguration().getOauthToken();
    }

    private static CrawlJob crawlJob() {
        return client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(CRAWLJOB).require();
    }

    private static CrawlJob awaitCrawlJob(Predicate<CrawlJob> condition) {
        AtomicReference<CrawlJob> last = new AtomicReference<>();
        await("CrawlJob " + CRAWLJOB).atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            last.set(crawlJob());
            assertThat(last.get()).as(() -> describe(last.get())).matches(job -> job.getStatus() != null
                    && job.getStatus().getPhase() != null && condition.test(job));
        });
        return last.get();
    }

    /** What a failed wait needs to say of a CrawlJob: its phase, batches, workers and conditions. */
    private static String describe(CrawlJob job) {
        var status = job.getStatus();
        if (status == null) {
            return "CrawlJob " + CRAWLJOB + " without status";
        }
        return "CrawlJob " + CRAWLJOB + ": phase " + status.getPhase() + ", batches " + (status.getBatches() == null
                ? "-" : status.getBatches().getDone() + " done of " + status.getBatches().getTotal() + ", "
                        + status.getBatches().getFailed() + " failed") + ", items " + status.getItems()
                + ", conditions " + status.getConditions().stream()
                        .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ": " + c.getMessage()
                                + ")").toList();
    }

    /**
     * What a failed wait on the worker Job needs to say, on one line (the line a CI summary keeps): the Job's counts
     * and conditions, and each pod's phase and its containers' states.
     */
    private static String describe(Job job, List<Pod> pods) {
        var status = job.getStatus();
        String counts = status == null ? "no status" : "active " + status.getActive() + ", ready " + status.getReady()
                + ", succeeded " + status.getSucceeded() + ", failed " + status.getFailed() + ", conditions "
                + (status.getConditions() == null ? "[]" : status.getConditions().stream()
                        .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ")").toList());
        List<String> podStates = pods.stream().map(pod -> pod.getMetadata().getName() + " "
                + (pod.getStatus() == null ? "no status" : pod.getStatus().getPhase() + " "
                        + (pod.getStatus().getContainerStatuses() == null ? "[]" : pod.getStatus()
                                .getContainerStatuses().stream().map(c -> c.getName() + ":" + c.getState()
                                        .toString().replaceAll("\\s+", " ")).toList()))
                + (pod.getMetadata().getDeletionTimestamp() == null ? "" : " deleting")).toList();
        return "Job " + job.getMetadata().getName() + " (parallelism " + job.getSpec().getParallelism() + ", suspend "
                + job.getSpec().getSuspend() + "): " + counts + "; pods " + podStates + "; " + describe(crawlJob());
    }

    private static Job workerJob() {
        List<Job> jobs = client().batch().v1().jobs().inNamespace(NAMESPACE).withLabel(CRAWLJOB_LABEL, CRAWLJOB)
                .list().getItems();
        assertThat(jobs).as("worker Jobs of CrawlJob " + CRAWLJOB).hasSize(1);
        return jobs.get(0);
    }

    private static List<Pod> workerPods() {
        return client().pods().inNamespace(NAMESPACE).withLabel(CRAWLJOB_LABEL, CRAWLJOB).list().getItems();
    }

    private static boolean isOver(Pod pod) {
        return pod.getStatus() != null && List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase());
    }

    private static boolean isRunning(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
    }
}
