package io.kubecrawl.operator.testing;

import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;

/**
 * The fabric8 mock API server in CRUD mode as the tests use it: resources in a namespace of their own, waits for
 * the operator, and the part of the Job controller the mock server does not play.
 */
public final class MockCluster {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final KubernetesClient client;
    private final KubernetesMockServer server;
    private final String namespace = "t-" + UUID.randomUUID().toString().substring(0, 8);

    /** Requests of the tests carry this user agent, so that they can be told from the operator's own. */
    public static final String TEST_USER_AGENT = "kubecrawl-tests";
    private static final Map<String, KubernetesClient> TEST_CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    public MockCluster(KubernetesClient operatorClient, KubernetesMockServer server) {
        this.client = TEST_CLIENTS.computeIfAbsent(operatorClient.getConfiguration().getMasterUrl(),
                url -> new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(operatorClient.getConfiguration())
                                .withUserAgent(TEST_USER_AGENT).build())
                        .build());
        this.server = server;
        registerCrds();
    }

    public String namespace() {
        return namespace;
    }

    /** A client of the tests' own, distinct from the operator's. */
    public KubernetesClient client() {
        return client;
    }

    /** Registering the CRDs tells the mock server that the status of our resources is a subresource. */
    private void registerCrds() {
        for (String file : List.of("crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml")) {
            try (InputStream yaml = getClass().getClassLoader().getResourceAsStream("META-INF/fabric8/" + file)) {
                CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(yaml,
                        CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    public ConfigMap configMap(String name, Map<String, String> data) {
        return client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build())
                .withData(data).build()).createOr(c -> c.update());
    }

    public Spider spider(String name, ConfigMapSource configMapSource) {
        SpiderSource source = new SpiderSource();
        source.setConfigMap(configMapSource);
        return spider(name, source);
    }

    public Spider spider(String name, SpiderSource source) {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        SpiderSpec spec = new SpiderSpec();
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage("example.test/quotes-spider:1.0");
        runtime.setCommand(List.of("scrapy", "crawl", "quotes"));
        spec.setRuntime(runtime);
        spec.setSource(source);
        spider.setSpec(spec);
        return client.resource(spider).create();
    }

    public static ConfigMapSource configMapSource(String name, KeyToPath... items) {
        ConfigMapSource source = new ConfigMapSource();
        source.setName(name);
        source.setItems(items.length == 0 ? null : List.of(items));
        return source;
    }

    public CrawlJob crawlJob(String name, String spider, int workers) {
        return crawlJob(name, spider, workers, spec -> { });
    }

    /** A CrawlJob of one seed, as {@code edit} changes its spec before it is created. */
    public CrawlJob crawlJob(String name, String spider, int workers, Consumer<CrawlJobSpec> edit) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference(spider));
        spec.setWorkers(workers);
        spec.setSeeds(List.of("http://quotes.test/page/1/"));
        edit.accept(spec);
        crawlJob.setSpec(spec);
        return client.resource(crawlJob).create();
    }

    public CrawlJob editCrawlJob(String name, UnaryOperator<CrawlJob> edit) {
        return client.resources(CrawlJob.class).inNamespace(namespace).withName(name).edit(edit);
    }

    public Spider awaitSpider(String name, Predicate<Spider> condition) {
        return await().atMost(TIMEOUT).until(
                () -> client.resources(Spider.class).inNamespace(namespace).withName(name).get(),
                s -> s != null && condition.test(s));
    }

    public CrawlJob awaitCrawlJob(String name, Predicate<CrawlJob> condition) {
        return awaitCrawlJob(name, condition, TIMEOUT);
    }

    public CrawlJob awaitCrawlJob(String name, Predicate<CrawlJob> condition, Duration timeout) {
        return await().atMost(timeout).until(
                () -> client.resources(CrawlJob.class).inNamespace(namespace).withName(name).get(),
                c -> c != null && condition.test(c));
    }

    public Job awaitJob(String name, Predicate<Job> condition) {
        return await().atMost(TIMEOUT).until(
                () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get(),
                j -> j != null && condition.test(j));
    }

    /** The reasons of the events recorded so far in the namespace. */
    private List<String> eventReasons() {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
    }

    /** The operator records events after the status write, so a test that has seen the status waits for them. */
    public List<String> awaitEventReasons(String... reasons) {
        return await().atMost(TIMEOUT).until(this::eventReasons, seen -> seen.containsAll(List.of(reasons)));
    }

    public Secret awaitSecret(String name) {
        return await().atMost(TIMEOUT).until(
                () -> client.secrets().inNamespace(namespace).withName(name).get(), Objects::nonNull);
    }

    /** Plays the Job controller, which the mock server lacks: sets the status a real one would write. */
    public Job setJobStatus(String name, UnaryOperator<io.fabric8.kubernetes.api.model.batch.v1.JobStatus> status) {
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        job.setStatus(status.apply(job.getStatus() == null
                ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : job.getStatus()));
        return client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    /** Takes every request the mock server has recorded so far. */
    public List<RecordedRequest> drainRequests() {
        List<RecordedRequest> requests = new ArrayList<>();
        try {
            RecordedRequest request;
            while ((request = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
                requests.add(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return requests;
    }
}
