package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.RecoveryExamples.NOW;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.RETRY_AFTER;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.crawlJob;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.frontier.FrontierLayouts;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.items.ItemStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spider that the informer cache does not hold yet, as when it is applied together with its CrawlJob: the observe
 * step asks the API server before it tells the decider that the Spider does not exist (a Warning event for users).
 */
@EnableKubernetesMockClient(crud = true)
class SpiderReadThroughTest {

    KubernetesClient client;

    @TempDir
    Path dataDir;

    private CrawlJobObserver observer;

    @BeforeEach
    void setUp() {
        observer = new CrawlJobObserver(new FrontierRegistry(new SimpleMeterRegistry()), new ItemStore(dataDir),
                new BundleStore(dataDir.resolve("bundles"), Clock.fixed(NOW, ZoneOffset.UTC)), new FrontierLayouts(),
                RETRY_AFTER);
    }

    @Test
    void aSpiderTheCacheDoesNotHoldYetIsReadFromTheApiServer() {
        Spider spider = RecoveryExamples.spider(null);
        spider.getMetadata().setNamespace("ns");
        client.resource(spider).create();

        CrawlJobObservation observed = observer.observe(crawlJob(null, 0), notCachedYet(), client, NOW);

        assertThat(observed.spider()).hasValueSatisfying(read -> assertThat(read.getMetadata().getName())
                .isEqualTo("quotes"));
    }

    @Test
    void aSpiderTheApiServerDoesNotHoldEitherIsMissing() {
        CrawlJobObservation observed = observer.observe(crawlJob(null, 0), notCachedYet(), client, NOW);

        assertThat(observed.spider()).as("what the decider reports as SpiderNotFound").isEmpty();
    }

    @Test
    void aFinishedJobDoesNotAskForItsSpider() {
        KubernetesClient unused = null;

        CrawlJobObservation observed = observer.observe(crawlJob(CrawlJobPhase.Succeeded, 0), notCachedYet(), unused,
                NOW);

        assertThat(observed.spider()).isEmpty();
    }

    private static CrawlJobObservation notCachedYet() {
        return new CrawlJobObservation(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
