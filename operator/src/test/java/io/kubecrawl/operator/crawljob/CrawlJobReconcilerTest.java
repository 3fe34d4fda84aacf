package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.status.StatusRecorder;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.tls.ServingCertificateKeeper;
import io.kubecrawl.operator.testing.WorkerClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrawlJobReconcilerTest {

    private static final String JOB = "crawl-workers";
    private static final String TOKEN_SECRET = "crawl-worker-token";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    MeterRegistry meters;

    @Inject
    ServingCertificateKeeper servingCertificate;

    MockCluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
    }

    @Test
    void pendingWhileTheSpiderIsMissingThenRunningOnceItsWorkersAre() {
        cluster.crawlJob("crawl", "quotes", 2);

        CrawlJob waiting = cluster.awaitCrawlJob("crawl", c -> c.getStatus() != null);
        assertThat(waiting.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Pending);
        assertThat(waiting.getStatus().condition("Ready").orElseThrow().getReason()).isEqualTo("SpiderNotFound");
        assertThat(client.batch().v1().jobs().inNamespace(cluster.namespace()).withName(JOB).get()).isNull();

        Spider spider = readySpider();

        CrawlJob starting = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getBundleDigest() != null);
        assertThat(starting.getStatus().getBundleDigest()).isEqualTo(spider.getStatus().getBundle().getDigest());
        assertThat(starting.getStatus().getPhase()).isEqualTo(CrawlJobPhase.Pending);
        assertThat(starting.getStatus().condition("Progressing").orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason).containsExactly("True", "WorkersStarting");
        assertThat(starting.getStatus().getStartTime()).isNotNull();
        cluster.awaitJob(JOB, j -> true);

        cluster.setJobStatus(JOB, s -> { s.setActive(2); s.setReady(2); return s; });

        CrawlJob running = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Running);
        assertThat(running.getStatus().getWorkers().getReady()).isEqualTo(2);
        assertThat(running.getStatus().getWorkers().getActive()).isEqualTo(2);
        assertThat(running.getStatus().getWorkers().getDesired()).isEqualTo(2);
        assertThat(running.getStatus().getSelector()).isEqualTo("kubecrawl.io/crawljob=crawl");
        assertThat(running.getStatus().getObservedGeneration()).isEqualTo(running.getMetadata().getGeneration());
        assertThat(running.getStatus().condition("Ready").orElseThrow())
                .extracting(Condition::getStatus, Condition::getReason).containsExactly("True", "WorkersReady");
        assertThat(running.getStatus().getConditions()).extracting(Condition::getType)
                .containsExactly("Ready", "Progressing", "Complete", "Failed", "Suspended", "Reconciling", "Stalled");
        cluster.awaitEventReasons("SpiderNotFound", "WorkersStarting", "Crawling");
    }

    @Test
    void workerJobRunsSyncThenRunFromTheSpiderWithTheJobsTokenAndOwner() {
        Spider spider = readySpider();
        CrawlJob crawlJob = cluster.crawlJob("crawl", "quotes", 3);

        Job job = cluster.awaitJob(JOB, j -> true);
        String digest = spider.getStatus().getBundle().getDigest();

        assertThat(job.getSpec().getParallelism()).isEqualTo(3);
        assertThat(job.getSpec().getCompletions()).isNull();
        assertThat(job.getSpec().getSuspend()).isFalse();
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(10);
        assertThat(job.getSpec().getPodFailurePolicy().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getAction()).isEqualTo("FailJob");
            assertThat(rule.getOnExitCodes().getValues()).containsExactly(2);
        });
        assertThat(job.getMetadata().getAnnotations())
                .containsEntry("kubecrawl.io/generation", String.valueOf(crawlJob.getMetadata().getGeneration()))
                .containsEntry("kubecrawl.io/bundle-digest", digest);
        assertThat(job.getMetadata().getLabels())
                .containsEntry("kubecrawl.io/crawljob", "crawl")
                .containsEntry("kubecrawl.io/spider", "quotes")
                .containsEntry("app.kubernetes.io/managed-by", "kubecrawl-operator");
        assertOwnedBy(job.getMetadata().getOwnerReferences(), crawlJob);

        assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("kubecrawl.io/crawljob", "crawl");
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getVolumes()).extracting(v -> v.getName() + ":" + (v.getEmptyDir() != null))
                .containsExactly("workspace:true", "tmp:true");

        assertThat(pod.getInitContainers()).hasSize(1);
        Container sync = pod.getInitContainers().get(0);
        assertThat(sync.getName()).isEqualTo("sync");
        assertThat(sync.getImage()).isEqualTo("kubecrawl/kubecrawl-worker:0.1.0");
        assertThat(sync.getCommand()).containsExactly("kubecrawl-worker", "sync");
        assertThat(sync.getArgs()).containsExactly("--target", "/workspace");

        assertThat(pod.getContainers()).hasSize(1);
        Container run = pod.getContainers().get(0);
        assertThat(run.getName()).isEqualTo("run");
        assertThat(run.getImage()).isEqualTo("example.test/quotes-spider:1.0");
        assertThat(run.getCommand()).containsExactly("kubecrawl-worker", "run");
        assertThat(run.getArgs()).containsExactly("--workdir", "/workspace", "--", "scrapy", "crawl", "quotes");
        assertThat(run.getWorkingDir()).isEqualTo("/workspace");

        for (Container container : List.of(sync, run)) {
            assertThat(container.getVolumeMounts()).extracting(m -> m.getName() + "@" + m.getMountPath())
                    .containsExactly("workspace@/workspace", "tmp@/tmp");
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            Map<String, EnvVar> env = container.getEnv().stream()
                    .collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
            assertThat(env.get("KUBECRAWL_OPERATOR_ADDRESS").getValue()).isEqualTo("kubecrawl.kubecrawl-system.svc:9090");
            assertThat(env.get("KUBECRAWL_NAMESPACE").getValue()).isEqualTo(cluster.namespace());
            assertThat(env.get("KUBECRAWL_JOB").getValue()).isEqualTo("crawl");
            assertThat(env.get("KUBECRAWL_BUNDLE_DIGEST").getValue()).isEqualTo(digest);
            assertThat(env.get("KUBECRAWL_WORKSPACE").getValue()).isEqualTo("/workspace");
            assertThat(env.get("KUBECRAWL_WORKER").getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.name");
            assertThat(env.get("KUBECRAWL_TOKEN").getValue()).isNull();
            assertThat(env.get("KUBECRAWL_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo(TOKEN_SECRET);
            assertThat(env.get("KUBECRAWL_TOKEN").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
            // gRPC is TLS: the CA comes from the same Secret, and nothing tells the worker to dial plaintext.
            assertThat(env.get("KUBECRAWL_OPERATOR_CA").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo(TOKEN_SECRET);
            assertThat(env.get("KUBECRAWL_OPERATOR_CA").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("ca.crt");
            assertThat(env).doesNotContainKey("KUBECRAWL_OPERATOR_PLAINTEXT");
        }

        Secret token = client.secrets().inNamespace(cluster.namespace()).withName(TOKEN_SECRET).get();
        assertOwnedBy(token.getMetadata().getOwnerReferences(), crawlJob);
        assertThat(token.getMetadata().getAnnotations()).containsKey("kubecrawl.io/generation");
        assertThat(WorkerClient.token(token)).hasSizeGreaterThanOrEqualTo(43);
        assertThat(new String(Base64.getDecoder().decode(token.getData().get("ca.crt")), StandardCharsets.US_ASCII))
                .as("the CA of the operator's gRPC certificate").isEqualTo(servingCertificate.workerTrustPem());
    }

    @Test
    void changingWorkersChangesTheJobsParallelism() {
        runningJob(2);

        cluster.editCrawlJob("crawl", c -> { c.getSpec().setWorkers(5); return c; });

        Job scaledJob = cluster.awaitJob(JOB, j -> j.getSpec().getParallelism() == 5);
        CrawlJob scaled = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getWorkers().getDesired() == 5);
        assertThat(scaled.getStatus().getObservedGeneration()).isEqualTo(scaled.getMetadata().getGeneration());
        assertThat(scaledJob.getMetadata().getAnnotations()).containsEntry("kubecrawl.io/generation",
                String.valueOf(scaled.getMetadata().getGeneration()));
    }

    @Test
    void suspendStopsTheWorkersAndResumeStartsThem() {
        runningJob(2);

        cluster.editCrawlJob("crawl", c -> { c.getSpec().setSuspend(true); return c; });

        cluster.awaitJob(JOB, j -> Boolean.TRUE.equals(j.getSpec().getSuspend()));
        cluster.setJobStatus(JOB, s -> { s.setActive(0); s.setReady(0); return s; });
        CrawlJob suspended = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Suspended);
        assertThat(suspended.getStatus().condition("Suspended").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(suspended.getStatus().getWorkers().getDesired()).isZero();

        cluster.editCrawlJob("crawl", c -> { c.getSpec().setSuspend(false); return c; });

        cluster.awaitJob(JOB, j -> Boolean.FALSE.equals(j.getSpec().getSuspend()));
        cluster.setJobStatus(JOB, s -> { s.setActive(2); s.setReady(2); return s; });
        CrawlJob resumed = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Running);
        assertThat(resumed.getStatus().condition("Suspended").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(resumed.getStatus().getWorkers().getDesired()).isEqualTo(2);
        cluster.awaitEventReasons("SuspendedBySpec");
    }

    @Test
    void failedJobMeansFailedWithAReason() {
        runningJob(2);

        cluster.setJobStatus(JOB, s -> {
            s.setActive(0);
            s.setFailed(11);
            s.setConditions(List.of(new JobConditionBuilder().withType("Failed").withStatus("True")
                    .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                    .build()));
            return s;
        });

        CrawlJob failed = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Failed);
        Condition condition = failed.getStatus().condition("Failed").orElseThrow();
        assertThat(condition.getStatus()).isEqualTo("True");
        assertThat(condition.getReason()).isEqualTo("WorkersFailed");
        assertThat(condition.getMessage()).contains("BackoffLimitExceeded", "backoff limit");
        assertThat(failed.getStatus().getCompletionTime()).isNotNull();
        assertThat(failed.getStatus().getWorkers().getFailed()).isEqualTo(11);
        assertThat(cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("WorkersFailed");
                    assertThat(e.getType()).isEqualTo("Warning");
                });
    }

    @Test
    void deletingTheCrawlJobLeavesChildrenThatTheGarbageCollectorWillRemove() {
        CrawlJob crawlJob = runningJob(2);

        client.resource(crawlJob).delete();

        await().atMost(MockCluster.TIMEOUT).until(() ->
                client.resources(CrawlJob.class).inNamespace(cluster.namespace()).withName("crawl").get() == null);
        // The mock server has no garbage collector: the children stay, owned by the deleted job's uid.
        assertOwnedBy(client.batch().v1().jobs().inNamespace(cluster.namespace()).withName(JOB).get()
                .getMetadata().getOwnerReferences(), crawlJob);
        assertOwnedBy(client.secrets().inNamespace(cluster.namespace()).withName(TOKEN_SECRET).get()
                .getMetadata().getOwnerReferences(), crawlJob);
    }

    @Test
    void aReconcileThatChangesNothingWritesNoStatus() {
        runningJob(2);
        CrawlJob before = cluster.awaitCrawlJob("crawl", c -> c.getStatus().getWorkers().getReady() == 2);
        double unchanged = unchangedStatusCount();
        cluster.drainRequests();

        // An event the job does not care about: the Job gets a new annotation, the operator reconciles.
        client.batch().v1().jobs().inNamespace(cluster.namespace()).withName(JOB)
                .edit(j -> { j.getMetadata().getAnnotations().put("example.test/touched", "yes"); return j; });

        await().atMost(MockCluster.TIMEOUT).until(() -> unchangedStatusCount() > unchanged);
        List<RecordedRequest> requests = cluster.drainRequests();
        assertThat(requests).as("requests after the touch").isNotEmpty();
        assertThat(requests).noneMatch(r -> !r.getMethod().equals("GET") && r.getPath().contains("/crawljobs/"));
        CrawlJob after = client.resources(CrawlJob.class).inNamespace(cluster.namespace()).withName("crawl").get();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    }

    private CrawlJob runningJob(int workers) {
        readySpider();
        cluster.crawlJob("crawl", "quotes", workers);
        cluster.awaitJob(JOB, j -> true);
        cluster.setJobStatus(JOB, s -> { s.setActive(workers); s.setReady(workers); return s; });
        return cluster.awaitCrawlJob("crawl", c -> c.getStatus().getPhase() == CrawlJobPhase.Running);
    }

    private Spider readySpider() {
        cluster.configMap("quotes-code", Map.of("quotes.py", "import scrapy\n"));
        cluster.spider("quotes", MockCluster.configMapSource("quotes-code"));
        return cluster.awaitSpider("quotes", s -> s.getStatus() != null && s.getStatus().getBundle() != null);
    }

    private double unchangedStatusCount() {
        return meters.counter(StatusRecorder.METRIC, "kind", "CrawlJob", "outcome", "unchanged").count();
    }

    private static void assertOwnedBy(List<OwnerReference> owners, CrawlJob crawlJob) {
        assertThat(owners).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("CrawlJob");
            assertThat(owner.getApiVersion()).isEqualTo("kubecrawl.io/v1alpha1");
            assertThat(owner.getName()).isEqualTo(crawlJob.getMetadata().getName());
            assertThat(owner.getUid()).isEqualTo(crawlJob.getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
        });
    }
}
