package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.kubectl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs as the API server has them, after Helm installed them from the chart: stored exactly as committed (so a
 * GitOps tool applying them server-side sees no drift and meets no conflict), with short names and printer columns
 * as documented, and every CEL rule rejecting what it is there to reject, with the server's own message.
 */
@ExtendWith(ClusterUnderTest.class)
@Order(1)
class CrdOnServerTest {
    private static final String NAMESPACE = "kubecrawl-crd";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CRDS = List.of("crawljobs.kubecrawl.io", "spiders.kubecrawl.io");

    @BeforeAll
    static void createNamespace() {
        client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
                .build()).serverSideApply();
    }

    @Test
    void theServerStoresEachCrdExactlyAsCommitted() throws IOException {
        for (String crd : CRDS) {
            JsonNode committed = new YAMLMapper().readTree(committedCrd(crd).toFile());
            JsonNode chartCopy = new YAMLMapper().readTree(Checkout.ROOT.resolve("helm/kubecrawl/crds")
                    .resolve(crd + "-v1.yml").toFile());
            // Raw, not through fabric8's model, whose schema numbers are doubles: this is what kubectl sees.
            JsonNode stored = JSON.readTree(client().raw(
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd));

            assertThat(chartCopy).as("the chart's copy of " + crd).isEqualTo(committed);
            assertThat(stored.get("spec")).as("spec of " + crd + " as the API server stores it")
                    .isEqualTo(committed.get("spec"));
        }
    }

    /** What Flux does (and Argo CD with ServerSideApply=true) to CRDs Helm created: no conflict, nothing changed. */
    @Test
    void aServerSideApplyByAnotherFieldManagerMeetsNoConflict() throws Exception {
        for (String crd : CRDS) {
            String before = client().raw("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd);

            Kubectl.Result applied = kubectl().run("apply", "--server-side", "--field-manager=gitops", "-f",
                    committedCrd(crd).toString());

            assertThat(applied.exitCode()).as(applied.output()).isZero();
            assertThat(applied.output()).contains("serverside-applied").doesNotContain("conflict");
            JsonNode after = JSON.readTree(client().raw("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                    + crd));
            assertThat(after.get("metadata").get("generation")).as("generation of " + crd)
                    .isEqualTo(JSON.readTree(before).get("metadata").get("generation"));
        }
    }

    @Test
    void noShortNameClashesWithOneOfTheServersOtherResources() throws Exception {
        Kubectl.Result resources = kubectl().run("api-resources", "--no-headers", "-o", "wide");
        assertThat(resources.exitCode()).as(resources.output()).isZero();
        List<String> builtIn = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        for (String line : resources.output().lines().toList()) {
            List<String> columns = List.of(line.trim().split("\\s+"));
            // NAME SHORTNAMES APIVERSION NAMESPACED KIND VERBS...: SHORTNAMES is absent when a resource has none.
            if (columns.size() < 5 || !columns.get(2).contains("/") && !columns.get(2).equals("v1")) {
                continue;
            }
            List<String> shortNames = List.of(columns.get(1).split(","));
            (columns.get(2).startsWith("kubecrawl.io/") ? ours : builtIn).addAll(shortNames);
        }

        assertThat(ours).as("short names of Kubecrawl's resources").contains("cjob", "spd");
        assertThat(ours).as("short names Kubecrawl shares with the server's own resources " + builtIn)
                .doesNotContainAnyElementsOf(builtIn);
        Kubectl.Result cronJobs = kubectl().run("get", "cj", "-n", NAMESPACE);
        assertThat(cronJobs.output()).as("kubectl get cj still means CronJobs, without a warning")
                .doesNotContain("crawljobs").doesNotContain("Warning");
    }

    @Test
    void kubectlGetPrintsPhaseWorkersProgressRequestsItemsThenAge() throws Exception {
        CrawlJob job = crawlJob("columns", validSpec());
        client().resource(job).create();
        try {
            Kubectl.Result crawlJobs = kubectl().run("get", "cjob", "-n", NAMESPACE);
            Kubectl.Result wide = kubectl().run("get", "cjob", "-n", NAMESPACE, "-o", "wide");

            assertThat(crawlJobs.exitCode()).as(crawlJobs.output()).isZero();
            assertThat(crawlJobs.output().lines().findFirst().orElseThrow().trim().split("\\s+"))
                    .containsExactly("NAME", "PHASE", "WORKERS", "PROGRESS", "DISCOVERED", "QUEUED", "ITEMS", "AGE");
            assertThat(wide.output().lines().findFirst().orElseThrow().trim().split("\\s+"))
                    .as("-o wide adds the discovered requests done and filtered")
                    .containsExactly("NAME", "PHASE", "WORKERS", "PROGRESS", "DISCOVERED", "QUEUED", "DONE",
                            "FILTERED", "ITEMS", "AGE");
        } finally {
            // A job left behind would keep the kill-point tests that follow waiting for every job to finish.
            client().resource(job).delete();
        }
    }

    static Stream<Arguments> rejectedCreates() {
        return Stream.of(
                Arguments.of("both seeds and seedsFrom", (Consumer<CrawlJobSpec>) spec -> spec.setSeedsFrom(
                        new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt"))),
                        "exactly one of seeds and seedsFrom must be set"),
                Arguments.of("neither seeds nor seedsFrom", (Consumer<CrawlJobSpec>) spec -> spec.setSeeds(null),
                        "exactly one of seeds and seedsFrom must be set"),
                Arguments.of("seedsFrom with a ConfigMap key and a bundle file", (Consumer<CrawlJobSpec>) spec -> {
                    SeedsSource both = new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt"));
                    both.setBundleFile("seeds/urls.txt");
                    spec.setSeeds(null);
                    spec.setSeedsFrom(both);
                }, "exactly one of configMapKeyRef and bundleFile must be set"),
                Arguments.of("an empty batch size", (Consumer<CrawlJobSpec>) spec -> {
                    FrontierSpec frontier = new FrontierSpec();
                    frontier.setBatchSize(0);
                    spec.setFrontier(frontier);
                }, "spec.frontier.batchSize in body should be greater than or equal to 1"));
    }

    @ParameterizedTest(name = "a CrawlJob with {0} is refused")
    @MethodSource("rejectedCreates")
    void theServerRefusesACrawlJobThatBreaksARule(String what, Consumer<CrawlJobSpec> breakIt, String message) {
        CrawlJobSpec spec = validSpec();
        breakIt.accept(spec);

        assertRefused(() -> client().resource(crawlJob("refused", spec)).create(), message);
    }

    static Stream<Arguments> rejectedUpdates() {
        return Stream.of(
                Arguments.of("its seeds changed", (Consumer<CrawlJobSpec>) spec -> spec.setSeeds(
                        List.of("http://other.invalid/")),
                        "seeds cannot be changed once the job exists: the frontier is derived from them"),
                Arguments.of("its frontier changed", (Consumer<CrawlJobSpec>) spec -> {
                    FrontierSpec frontier = new FrontierSpec();
                    frontier.setSlots(3);
                    spec.setFrontier(frontier);
                }, "frontier cannot be changed once the job exists: completed batches are recorded by its layout"),
                Arguments.of("its spiderRef changed", (Consumer<CrawlJobSpec>) spec -> spec.setSpiderRef(
                        new SpiderReference("another-spider")), "spiderRef cannot be changed once the job exists"),
                Arguments.of("its seeds swapped for seedsFrom", (Consumer<CrawlJobSpec>) spec -> {
                    spec.setSeeds(null);
                    spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));
                }, "seeds and seedsFrom cannot be swapped once the job exists: the frontier is derived from them"));
    }

    @ParameterizedTest(name = "a CrawlJob update with {0} is refused")
    @MethodSource("rejectedUpdates")
    void theServerRefusesAnUpdateThatBreaksARule(String what, Consumer<CrawlJobSpec> change, String message) {
        String name = "immutable-" + Integer.toHexString(what.hashCode());
        CrawlJob created = client().resource(crawlJob(name, validSpec())).create();

        try {
            assertUpdateRefused(() -> client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name)
                    .edit(job -> {
                        change.accept(job.getSpec());
                        return job;
                    }), message);
        } finally {
            // Even after a failure: a job left behind is one more that every later restart of the operator recovers.
            client().resource(created).delete();
        }
    }

    @Test
    void theServerRefusesAChangedSeedsFrom() {
        CrawlJobSpec spec = validSpec();
        spec.setSeeds(null);
        spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));
        CrawlJob created = client().resource(crawlJob("seeds-from", spec)).create();

        try {
            assertUpdateRefused(() -> client().resources(CrawlJob.class).inNamespace(NAMESPACE)
                    .withName("seeds-from").edit(job -> {
                        job.getSpec().setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "other.txt")));
                        return job;
                    }), "seedsFrom cannot be changed once the job exists: the frontier is derived from it");
        } finally {
            client().resource(created).delete();
        }
    }

    @Test
    void theServerRefusesASpiderWithTwoSources() {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName("two-sources").withNamespace(NAMESPACE).build());
        SpiderSpec spec = new SpiderSpec();
        SpiderSource source = new SpiderSource();
        ConfigMapSource configMap = new ConfigMapSource();
        configMap.setName("files");
        source.setConfigMap(configMap);
        source.setUpload(new UploadSource());
        spec.setSource(source);
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage("kubecrawl/kubecrawl-worker:e2e");
        runtime.setCommand(List.of("scrapy", "crawl", "quotes"));
        spec.setRuntime(runtime);
        spider.setSpec(spec);

        assertRefused(() -> client().resource(spider).create(), "exactly one of configMap or upload must be set");
    }

    /** The API server answers 422 Invalid, with the rule's message; printed so that a reader sees it whole. */
    private static void assertRefused(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class,
                refused -> assertInvalid(refused, message));
    }

    /**
     * As {@link #assertRefused}, for an edit of a job the operator is reconciling: fabric8's edit sends the
     * resourceVersion it read, and the operator's first status write can land between its read and its patch. That
     * 409 Conflict says nothing of the rule, so the edit is made again on the job as it is then.
     */
    private static void assertUpdateRefused(Runnable edit, String message) {
        KubernetesClientException refused = await("an answer to the edit other than 409 Conflict")
                .atMost(Duration.ofSeconds(30)).until(() -> refusalOf(edit), e -> e.getCode() != 409);
        assertInvalid(refused, message);
    }

    private static KubernetesClientException refusalOf(Runnable call) {
        try {
            call.run();
        } catch (KubernetesClientException refused) {
            return refused;
        }
        throw new AssertionError("the API server accepted what a rule forbids");
    }

    private static void assertInvalid(KubernetesClientException refused, String message) {
        System.out.println("refused by the API server: " + refused.getStatus().getMessage());
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getStatus().getMessage()).contains(message);
    }

    private static Path committedCrd(String name) {
        return Checkout.ROOT.resolve("crds").resolve(name + "-v1.yml");
    }

    private static CrawlJobSpec validSpec() {
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("no-such-spider"));
        spec.setSeeds(List.of("http://seeds.invalid/"));
        return spec;
    }

    private static CrawlJob crawlJob(String name, CrawlJobSpec spec) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        crawlJob.setSpec(spec);
        return crawlJob;
    }
}
