package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubecrawl.crd.v1alpha1.ConfigMapKeyReference;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.SeedsSource;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.operator.bundle.BlobRef;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.frontier.FrontierLayout;
import io.kubecrawl.operator.frontier.FrontierLayouts;
import io.kubecrawl.operator.frontier.InvalidSeedException;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs that read the same seeds share one layout, read once; a seed list edited since is read afresh, and invalid
 * seeds fail every job that names them with the same error.
 */
@EnableKubernetesMockClient(crud = true)
class SeedsReaderTest {

    private static final String NAMESPACE = "crawls";

    KubernetesClient client;
    KubernetesMockServer server;

    @TempDir
    Path dataDir;

    private BundleStore bundles;
    private SeedsReader reader;

    @BeforeEach
    void setUp() {
        bundles = new BundleStore(dataDir, Clock.systemUTC());
        reader = new SeedsReader(bundles, new FrontierLayouts());
    }

    @Test
    void jobsNamingOneConfigMapShareOneLayoutUntilTheConfigMapChanges() {
        seedsConfigMap("http://a.test/1\nhttp://b.test/2\n");
        FrontierLayout first = layout(fromConfigMap("crawl-1"));

        assertThat(layout(fromConfigMap("crawl-2"))).isSameAs(first);
        assertThat(first.requests()).isEqualTo(2);

        seedsConfigMap("http://a.test/1\nhttp://b.test/2\nhttp://c.test/3\n");
        FrontierLayout edited = layout(fromConfigMap("crawl-1"));

        assertThat(edited).as("the edited seeds, not the layout of the earlier ones").isNotSameAs(first);
        assertThat(edited.requests()).isEqualTo(3);
        assertThat(edited.seedsDigest()).isNotEqualTo(first.seedsDigest());
        assertThat(layout(fromConfigMap("crawl-2"))).isSameAs(edited);
    }

    @Test
    void aJobWhoseSeedsAnotherJobReadAlreadyFetchesOnlyTheConfigMapsMetadata() throws InterruptedException {
        seedsConfigMap("http://a.test/1\nhttp://b.test/2\n");
        layout(fromConfigMap("crawl-1"));
        while (server.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
            // the requests of the set-up and of the first job
        }

        layout(fromConfigMap("crawl-2"));

        RecordedRequest only = server.takeRequest(100, TimeUnit.MILLISECONDS);
        assertThat(only.getPath()).isEqualTo("/api/v1/namespaces/crawls/configmaps/seeds");
        assertThat(only.getHeader("Accept")).startsWith("application/json;as=PartialObjectMetadata;");
        assertThat(server.takeRequest(100, TimeUnit.MILLISECONDS)).as("no other request").isNull();
    }

    @Test
    void otherLayoutSettingsOfTheSameSeedsGetALayoutOfTheirOwn() {
        seedsConfigMap("http://a.test/1\nhttp://b.test/2\nhttp://c.test/3\n");
        CrawlJob batchesOfOne = fromConfigMap("crawl-2");
        batchesOfOne.getSpec().getFrontier().setBatchSize(1);

        FrontierLayout byDefault = layout(fromConfigMap("crawl-1"));
        FrontierLayout ofOne = layout(batchesOfOne);

        assertThat(ofOne).isNotSameAs(byDefault);
        assertThat(ofOne.totalBatches()).isEqualTo(3);
        assertThat(ofOne.seedsDigest()).isEqualTo(byDefault.seedsDigest());
    }

    @Test
    void invalidSeedsInAConfigMapFailEveryJobNamingItAlike() {
        seedsConfigMap("http://a.test/1\nnot a url\n");

        for (String job : List.of("crawl-1", "crawl-2")) {
            assertThatThrownBy(() -> layout(fromConfigMap(job))).isInstanceOf(InvalidSeedException.class)
                    .hasMessageStartingWith("seed line 2: 'not a url' ");
        }
    }

    @Test
    void inlineSeedsAreSharedByContent() {
        FrontierLayout first = layout(inline("crawl-1", List.of("http://a.test/1", "http://a.test/2")));

        assertThat(layout(inline("crawl-2", List.of("http://a.test/1", "http://a.test/2")))).isSameAs(first);
        assertThat(layout(inline("crawl-3", List.of("http://a.test/1")))).isNotSameAs(first);
        // The same characters as one line: not the two requests above, but a line that is no URL.
        assertThatThrownBy(() -> layout(inline("crawl-4", List.of("http://a.test/1\nhttp://a.test/2"))))
                .isInstanceOf(InvalidSeedException.class).hasMessageStartingWith("seed line 1:");
    }

    @Test
    void bundleFilesOfTheSameContentShareOneLayoutWhateverTheBundleOrPath() throws IOException {
        BlobRef seeds = bundles.write(new ByteArrayInputStream("http://a.test/1\nhttp://b.test/2\n"
                .getBytes(StandardCharsets.UTF_8)));
        BlobRef code = bundles.write(new ByteArrayInputStream("import scrapy\n".getBytes(StandardCharsets.UTF_8)));
        BundleManifest one = new BundleManifest(List.of(new BundleFile("urls.txt", 0644, seeds.size(),
                seeds.sha256())));
        BundleManifest other = new BundleManifest(List.of(new BundleFile("seeds/urls.txt", 0644, seeds.size(),
                seeds.sha256()), new BundleFile("quotes.py", 0644, code.size(), code.sha256())));
        bundles.putManifest(one);
        bundles.putManifest(other);

        FrontierLayout first = reader.layout(fromBundle("crawl-1", "urls.txt"), client, Optional.of(one.digest()));

        assertThat(reader.layout(fromBundle("crawl-2", "seeds/urls.txt"), client, Optional.of(other.digest())))
                .isSameAs(first);
        assertThat(first.requests()).isEqualTo(2);
        assertThatThrownBy(() -> reader.layout(fromBundle("crawl-3", "quotes.py"), client,
                Optional.of(other.digest()))).isInstanceOf(InvalidSeedException.class);
    }

    @Test
    void aMissingConfigMapOrKeyIsStillReportedAsNotFound() {
        assertThatThrownBy(() -> layout(fromConfigMap("crawl-1")))
                .isInstanceOf(SeedsReader.SeedsNotFoundException.class)
                .hasMessage("ConfigMap seeds named in spec.seedsFrom does not exist in namespace crawls");
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withMetadata(
                new ObjectMetaBuilder().withName("seeds").build()).withData(Map.of("other.txt", "")).build())
                .create();
        assertThatThrownBy(() -> layout(fromConfigMap("crawl-1")))
                .isInstanceOf(SeedsReader.SeedsNotFoundException.class)
                .hasMessage("ConfigMap seeds has no key urls.txt named in spec.seedsFrom");
    }

    private FrontierLayout layout(CrawlJob crawlJob) {
        return reader.layout(crawlJob, client, Optional.empty());
    }

    private void seedsConfigMap(String seeds) {
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withMetadata(
                new ObjectMetaBuilder().withName("seeds").build()).withData(Map.of("urls.txt", seeds)).build())
                .createOr(existing -> existing.update());
    }

    private static CrawlJob fromConfigMap(String name) {
        CrawlJob crawlJob = crawlJob(name);
        crawlJob.getSpec().setSeedsFrom(new SeedsSource(new ConfigMapKeyReference("seeds", "urls.txt")));
        return crawlJob;
    }

    private static CrawlJob fromBundle(String name, String path) {
        CrawlJob crawlJob = crawlJob(name);
        crawlJob.getSpec().setSeedsFrom(SeedsSource.bundleFile(path));
        return crawlJob;
    }

    private static CrawlJob inline(String name, List<String> seeds) {
        CrawlJob crawlJob = crawlJob(name);
        crawlJob.getSpec().setSeeds(seeds);
        return crawlJob;
    }

    private static CrawlJob crawlJob(String name) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setFrontier(new FrontierSpec());
        crawlJob.setSpec(spec);
        return crawlJob;
    }
}
