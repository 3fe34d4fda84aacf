package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SpiderReconcilerTest {

    private static final String SPIDER_PY = "import scrapy\n\nclass QuotesSpider(scrapy.Spider):\n    name = 'quotes'\n";
    private static final String RUN_SH = "#!/bin/sh\nexec scrapy crawl quotes\n";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    BundleStore store;

    MockCluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
    }

    @Test
    void readyWithTheDigestOfItsFilesAndModes() throws Exception {
        cluster.configMap("quotes-code", Map.of("spider", SPIDER_PY, "run", RUN_SH));
        cluster.spider("quotes", MockCluster.configMapSource("quotes-code",
                new KeyToPath("spider", "crawlab_project/spiders/quotes.py", null),
                new KeyToPath("run", "bin/run.sh", 0755)));

        Spider spider = cluster.awaitSpider("quotes", s -> s.getStatus() != null);

        // The digest computed here by hand, independently of BundleManifest, from the documented canonical form.
        String expected = "sha256:" + sha256(
                sha256(RUN_SH) + " 0755 " + RUN_SH.length() + " bin/run.sh\n"
                        + sha256(SPIDER_PY) + " 0644 " + SPIDER_PY.length() + " crawlab_project/spiders/quotes.py\n");
        assertThat(spider.getStatus().getBundle().getDigest()).isEqualTo(expected);
        assertThat(spider.getStatus().getBundle().getFiles()).isEqualTo(2);
        assertThat(spider.getStatus().getBundle().getBytes()).isEqualTo(SPIDER_PY.length() + RUN_SH.length());
        assertThat(spider.getStatus().getObservedGeneration()).isEqualTo(spider.getMetadata().getGeneration());
        Condition ready = spider.getStatus().condition("Ready").orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("BundleResolved");
        assertThat(ready.getLastTransitionTime()).isNotNull();
    }

    @Test
    void aReadySpidersBundleIsInTheStoreManifestAndEveryFile() throws Exception {
        cluster.configMap("quotes-code", Map.of("spider", SPIDER_PY, "run", RUN_SH));
        cluster.spider("quotes", MockCluster.configMapSource("quotes-code",
                new KeyToPath("spider", "crawlab_project/spiders/quotes.py", null),
                new KeyToPath("run", "bin/run.sh", 0755)));

        String digest = cluster.awaitSpider("quotes", s -> s.getStatus() != null).getStatus().getBundle().getDigest();

        BundleManifest manifest = store.manifest(digest).orElseThrow();
        assertThat(manifest.digest()).isEqualTo(digest);
        assertThat(manifest.files()).extracting(BundleFile::path, BundleFile::mode)
                .containsExactly(tuple("bin/run.sh", 0755),
                        tuple("crawlab_project/spiders/quotes.py", 0644));
        for (BundleFile file : manifest.files()) {
            try (var content = store.open(file.sha256())) {
                assertThat(new String(content.readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(file.path().endsWith(".sh") ? RUN_SH : SPIDER_PY);
            }
        }
    }

    @Test
    void editingTheConfigMapChangesTheDigest() {
        cluster.configMap("code", Map.of("quotes.py", SPIDER_PY));
        cluster.spider("quotes", MockCluster.configMapSource("code"));
        String before = cluster.awaitSpider("quotes", s -> s.getStatus() != null).getStatus().getBundle().getDigest();

        cluster.configMap("code", Map.of("quotes.py", SPIDER_PY + "# v2\n"));

        Spider after = cluster.awaitSpider("quotes", s -> !before.equals(s.getStatus().getBundle().getDigest()));
        assertThat(after.getStatus().getBundle().getDigest()).startsWith("sha256:").isNotEqualTo(before);
        assertThat(after.getStatus().getBundle().getBytes()).isEqualTo(SPIDER_PY.length() + 5);
        assertThat(store.containsManifest(after.getStatus().getBundle().getDigest())).isTrue();
    }

    @Test
    void missingConfigMapIsSourceNotFoundUntilItIsCreated() {
        cluster.spider("quotes", MockCluster.configMapSource("later"));

        Spider waiting = cluster.awaitSpider("quotes", s -> s.getStatus() != null);
        Condition notReady = waiting.getStatus().condition("Ready").orElseThrow();
        assertThat(notReady.getStatus()).isEqualTo("False");
        assertThat(notReady.getReason()).isEqualTo("SourceNotFound");
        assertThat(notReady.getMessage()).contains("later", cluster.namespace());
        assertThat(cluster.client().v1().events().inNamespace(cluster.namespace()).list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("SourceNotFound");
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("quotes");
                });

        cluster.configMap("later", Map.of("quotes.py", SPIDER_PY));

        Spider ready = cluster.awaitSpider("quotes", s -> s.getStatus().condition("Ready").get().isTrue());
        assertThat(ready.getStatus().getBundle().getFiles()).isEqualTo(1);
    }

    @Test
    void pathOutsideTheBundleIsInvalidPath() {
        cluster.configMap("evil", Map.of("x", "boom"));
        cluster.spider("evil", MockCluster.configMapSource("evil", new KeyToPath("x", "a/../../etc/passwd", null)));

        Condition ready = cluster.awaitSpider("evil", s -> s.getStatus() != null).getStatus().condition("Ready")
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("InvalidPath");
        assertThat(ready.getMessage()).contains("a/../../etc/passwd");
    }

    @Test
    void missingKeyIsKeyNotFound() {
        cluster.configMap("code", Map.of("quotes.py", SPIDER_PY));
        cluster.spider("quotes", MockCluster.configMapSource("code", new KeyToPath("nope.py", "nope.py", null)));

        Condition ready = cluster.awaitSpider("quotes", s -> s.getStatus() != null).getStatus().condition("Ready")
                .orElseThrow();
        assertThat(ready.getReason()).isEqualTo("KeyNotFound");
        assertThat(ready.getMessage()).contains("nope.py");
    }

    @Test
    void uploadSourceAwaitsItsUpload() {
        SpiderSource source = new SpiderSource();
        source.setUpload(new UploadSource());
        cluster.spider("uploaded", source);

        Condition ready = cluster.awaitSpider("uploaded", s -> s.getStatus() != null).getStatus()
                .condition("Ready").orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("AwaitingUpload");
        assertThat(ready.getMessage()).contains("/spiders/uploaded/bundle");
        // Seen on a real cluster: applying examples/upload made a Warning Event, for the state every such Spider
        // starts in.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.client().v1().events()
                .inNamespace(cluster.namespace()).list().getItems())
                .filteredOn(e -> "AwaitingUpload".equals(e.getReason())).singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Normal")));
    }

    @Test
    void anUploadedBundleInTheStoreMakesTheSpiderReadyOnceItsAnnotationNamesIt() throws Exception {
        var blob = store.write(new java.io.ByteArrayInputStream(SPIDER_PY.getBytes(StandardCharsets.UTF_8)));
        BundleManifest manifest = new BundleManifest(java.util.List.of(
                new BundleFile("crawlab_project/spiders/quotes.py", 0644, blob.size(), blob.sha256())));
        store.putManifest(manifest);
        SpiderSource source = new SpiderSource();
        source.setUpload(new UploadSource());
        cluster.spider("uploaded", source);
        cluster.awaitSpider("uploaded", s -> s.getStatus() != null);

        // What the upload API does last: only metadata changes, no generation, and still the Spider reconciles.
        cluster.client().resources(Spider.class).inNamespace(cluster.namespace()).withName("uploaded").edit(s -> {
            s.getMetadata().setAnnotations(Map.of(UploadedBundleAnnotation.NAME, manifest.digest()));
            return s;
        });

        Spider spider = cluster.awaitSpider("uploaded", s -> s.getStatus().getBundle() != null);
        assertThat(spider.getStatus().getBundle().getDigest()).isEqualTo(manifest.digest());
        assertThat(spider.getStatus().getBundle().getFiles()).isEqualTo(1);
        assertThat(spider.getStatus().getBundle().getBytes()).isEqualTo(SPIDER_PY.length());
        Condition ready = spider.getStatus().condition("Ready").orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("BundleResolved");
    }

    @Test
    void anUploadAnnotationNamingABundleTheStoreLacksIsBundleIncomplete() {
        SpiderSource source = new SpiderSource();
        source.setUpload(new UploadSource());
        Spider spider = new Spider();
        spider.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("lost")
                .withNamespace(cluster.namespace())
                .withAnnotations(Map.of(UploadedBundleAnnotation.NAME, "sha256:" + "0".repeat(64))).build());
        spider.setSpec(new io.kubecrawl.crd.v1alpha1.SpiderSpec());
        spider.getSpec().setSource(source);
        spider.getSpec().setRuntime(new io.kubecrawl.crd.v1alpha1.SpiderRuntime());
        spider.getSpec().getRuntime().setImage("example.test/quotes-spider:1.0");
        cluster.client().resource(spider).create();

        Condition ready = cluster.awaitSpider("lost", s -> s.getStatus() != null).getStatus().condition("Ready")
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("BundleIncomplete");
        assertThat(ready.getMessage()).contains("sha256:" + "0".repeat(64)).contains("upload it again");
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
