package io.kubecrawl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kubecrawl on a real cluster: k3s in a container, the operator and worker images built from this checkout, the chart
 * installed with Helm and the examples applied. It shows what the mock API server of the operator's tests cannot:
 * a worker Job created for a CrawlJob, {@code kubectl scale} through the scale subresource, and CEL validation.
 *
 * <p>Needs a Docker engine (skipped without one, see {@link RequiresDocker}) and the operator and worker-image
 * modules packaged: run {@code ./mvnw -B verify} from the repository root, in which the reactor builds this module
 * after those two.
 */
@RequiresDocker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrawlJobOnK3sTest {
    private static final DockerImageName K3S_IMAGE = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");

    /** Every example is applied here, whatever namespace it names. */
    private static final String CRAWL_NAMESPACE = "kubecrawl-e2e";
    private static final String CRAWLJOB_LABEL = "kubecrawl.io/crawljob";
    private static final Duration CLUSTER_TIMEOUT = Duration.ofMinutes(3);

    private static K3sContainer k3s;
    private static KubernetesClient client;
    private static String crawlJobName;

    @RegisterExtension
    static final TestWatcher CLUSTER_STATE_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            printClusterState();
        }
    };

    @BeforeAll
    static void startClusterWithKubecrawl() throws Exception {
        String operatorImage = LocalImages.buildOperator();
        String workerImage = LocalImages.buildWorker();

        k3s = new K3sContainer(K3S_IMAGE);
        k3s.start();
        LocalImages.importInto(k3s, operatorImage);
        LocalImages.importInto(k3s, workerImage);

        String kubeConfig = k3s.getKubeConfigYaml();
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();
        KubecrawlChart.install(kubeConfig, operatorImage, workerImage, CLUSTER_TIMEOUT);
        crawlJobName = applyExamples(workerImage);
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.close();
        }
        if (k3s != null) {
            k3s.stop();
        }
    }

    @Test
    @Order(1)
    void theOperatorStartsTheWorkerJobAndReportsAPhase() {
        Job workerJob = awaitWorkerJob();

        assertThat(workerJob.getMetadata().getOwnerReferences())
                .as("owner of the worker Job, so that deleting the CrawlJob deletes it")
                .anySatisfy(owner -> {
                    assertThat(owner.getKind()).isEqualTo("CrawlJob");
                    assertThat(owner.getName()).isEqualTo(crawlJobName);
                });
        CrawlJob crawlJob = await("status.phase of CrawlJob " + crawlJobName).atMost(CLUSTER_TIMEOUT)
                .until(() -> crawlJobs().withName(crawlJobName).get(),
                        job -> job.getStatus() != null && job.getStatus().getPhase() != null);
        assertThat(crawlJob.getStatus().getObservedGeneration()).isEqualTo(crawlJob.getMetadata().getGeneration());
    }

    /** Runs right after the Job appears: a job that has already finished is no longer scaled. */
    @Test
    @Order(2)
    void scalingTheCrawlJobChangesTheWorkerJobsParallelism() {
        awaitWorkerJob();

        // What kubectl scale crawljob/<name> --replicas=3 does: a write to the scale subresource.
        crawlJobs().withName(crawlJobName).scale(3);

        assertThat(crawlJobs().withName(crawlJobName).get().getSpec().getWorkers()).isEqualTo(3);
        await("parallelism of the worker Job of " + crawlJobName).atMost(CLUSTER_TIMEOUT)
                .untilAsserted(() -> assertThat(awaitWorkerJob().getSpec().getParallelism()).isEqualTo(3));
    }

    @Test
    @Order(3)
    void theCrdRejectsACrawlJobWithBothSeedsAndSeedsFrom() {
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("any-spider"));
        spec.setSeeds(List.of("http://seeds.invalid/"));
        spec.setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));

        assertRejected("both-seed-sources", spec, "exactly one of seeds and seedsFrom must be set");
    }

    @Test
    @Order(3)
    void theCrdRejectsSeedsFromWithBothAConfigMapKeyAndABundleFile() {
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("any-spider"));
        SeedsSource both = new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt"));
        both.setBundleFile("seeds/urls.txt");
        spec.setSeedsFrom(both);

        assertRejected("both-seed-files", spec, "exactly one of configMapKeyRef and bundleFile must be set");
    }

    /** Creating a CrawlJob of this spec is refused by the API server with a 422 that says {@code message}. */
    private static void assertRejected(String name, CrawlJobSpec spec, String message) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).build());
        crawlJob.setSpec(spec);
        assertThatThrownBy(() -> crawlJobs().resource(crawlJob).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, rejected -> {
                    assertThat(rejected.getCode()).isEqualTo(422);
                    assertThat(rejected.getMessage()).contains(message);
                });
    }

    /**
     * Applies every {@code *.yaml} of examples/quotes/ to the crawl namespace, with each Spider pointed at the worker image
     * built here, and returns the name of the first CrawlJob among them.
     */
    private static String applyExamples(String workerImage) throws IOException {
        Path examples = Checkout.ROOT.resolve("examples/quotes");
        assertThat(examples).as("the example manifests this suite applies").isDirectory();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(CRAWL_NAMESPACE).endMetadata()
                .build()).serverSideApply();

        List<Path> manifests;
        try (Stream<Path> files = Files.list(examples)) {
            manifests = files.filter(file -> file.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        List<String> crawlJobs = new ArrayList<>();
        for (Path manifest : manifests) {
            try (InputStream yaml = Files.newInputStream(manifest)) {
                for (HasMetadata resource : client.load(yaml).items()) {
                    HasMetadata applied = client.resource(forThisCluster(resource, workerImage))
                            .inNamespace(CRAWL_NAMESPACE).serverSideApply();
                    if ("CrawlJob".equals(applied.getKind())) {
                        crawlJobs.add(applied.getMetadata().getName());
                    }
                }
            }
        }
        assertThat(crawlJobs).as("CrawlJobs among the manifests %s", manifests).isNotEmpty();
        return crawlJobs.get(0);
    }

    private static HasMetadata forThisCluster(HasMetadata resource, String workerImage) {
        resource.getMetadata().setNamespace(CRAWL_NAMESPACE);
        if (!"Spider".equals(resource.getKind())) {
            return resource;
        }
        Spider spider = client.getKubernetesSerialization().convertValue(resource, Spider.class);
        spider.getSpec().getRuntime().setImage(workerImage);
        return spider;
    }

    private static NonNamespaceOperation<CrawlJob, KubernetesResourceList<CrawlJob>, Resource<CrawlJob>> crawlJobs() {
        return client.resources(CrawlJob.class).inNamespace(CRAWL_NAMESPACE);
    }

    private static Job awaitWorkerJob() {
        List<Job> workerJobs = await("worker Job labelled " + CRAWLJOB_LABEL + "=" + crawlJobName)
                .atMost(CLUSTER_TIMEOUT)
                .until(() -> client.batch().v1().jobs().inNamespace(CRAWL_NAMESPACE)
                        .withLabel(CRAWLJOB_LABEL, crawlJobName).list().getItems(), jobs -> !jobs.isEmpty());
        assertThat(workerJobs).as("worker Jobs of one CrawlJob").hasSize(1);
        return workerJobs.get(0);
    }

    /** What a failed assertion here cannot say on its own: the CrawlJobs, and the last log lines of every pod. */
    private static void printClusterState() {
        if (client == null) {
            return;
        }
        try {
            client.resources(CrawlJob.class).inNamespace(CRAWL_NAMESPACE).list().getItems()
                    .forEach(job -> System.out.println(client.getKubernetesSerialization().asYaml(job)));
            for (String namespace : List.of(KubecrawlChart.NAMESPACE, CRAWL_NAMESPACE)) {
                for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                    String name = pod.getMetadata().getName();
                    System.out.println("--- last log lines of pod " + namespace + "/" + name);
                    System.out.println(client.pods().inNamespace(namespace).withName(name).tailingLines(50).getLog());
                }
            }
        } catch (KubernetesClientException unreachable) {
            System.out.println("cluster state unavailable: " + unreachable.getMessage());
        }
    }
}
