package io.kubecrawl.operator.crawljob;

import static io.kubecrawl.operator.crawljob.RecoveryExamples.NOW;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.RETRY_AFTER;
import static io.kubecrawl.operator.crawljob.RecoveryExamples.crawlJob;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierLayouts;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.FrontierSettings;
import io.kubecrawl.operator.frontier.LeaseOutcome;
import io.kubecrawl.operator.frontier.discovered.DiscoveredRequestStore;
import io.kubecrawl.operator.frontier.discovered.DiscoveredWorkFactory;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.items.ItemUpload;
import io.kubecrawl.protocol.CrawlJobName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The observe step reads the stores and the frontier registry and changes neither: changing them is the plan's. */
class CrawlJobObserverTest {

    private static final CrawlJobName NAME = new CrawlJobName("ns", "crawl");

    @TempDir
    Path dataDir;

    private final FrontierRegistry frontiers = new FrontierRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    private ItemStore items;
    private BundleStore bundles;
    private CrawlJobObserver observer;

    @BeforeEach
    void setUp() {
        items = new ItemStore(dataDir);
        bundles = new BundleStore(dataDir.resolve("bundles"), Clock.fixed(NOW, ZoneOffset.UTC));
        observer = new CrawlJobObserver(frontiers, items, bundles, new FrontierLayouts(), RETRY_AFTER);
    }

    @Test
    void aFirstReconcileSeesAnEarlierJobsItemsButNeitherDeletesThemNorRegistersAFrontier() {
        storeItems(2);

        CrawlJobObservation observed = observe(crawlJob(null, 0));

        assertThat(items.count(NAME)).as("the earlier job's items, still there").isEqualTo(2);
        assertThat(frontiers.find(NAME)).isEmpty();
        assertThat(observed.frontier()).hasValueSatisfying(view -> {
            assertThat(view.rebuilt()).isPresent();
            assertThat(view.rebuilt().get().isRestored()).isFalse();
            assertThat(view.items()).isEqualTo(2);
        });
    }

    @Test
    void aRegisteredFrontierKeepsItsDueLeasesAndItsSettingsWhileObserved() {
        CrawlJob crawlJob = crawlJob(CrawlJobPhase.Running, 0);
        FrontierSettings before = new FrontierSettings(1, Duration.ofSeconds(5), 1, RETRY_AFTER);
        Frontier frontier = Frontier.fresh(RecoveryExamples.layout(crawlJob), before);
        frontiers.register(NAME, crawlJob.getMetadata().getUid(), frontier);
        assertThat(frontier.lease("worker-1", NOW)).isInstanceOf(LeaseOutcome.Granted.class);

        CrawlJobObservation observed = observe(crawlJob);

        assertThat(frontier.leases()).as("due, but expiring it is a step").hasSize(1);
        assertThat(frontier.settings()).isEqualTo(before);
        assertThat(observed.frontier()).hasValueSatisfying(view -> {
            assertThat(view.rebuilt()).isEmpty();
            assertThat(view.batches().getLeased()).as("leases due by now are not counted").isZero();
            assertThat(view.settings()).isEqualTo(before);
        });
    }

    @Test
    void aFrontierRecordedInTheStatusOfAJobWithWorkersIsRebuiltWithAGracePeriod() {
        CrawlJob running = crawlJob(CrawlJobPhase.Running, 1);

        CrawlJobObservation observed = observer.observe(running, RecoveryExamples.children(
                RecoveryExamples.workerJob(false, 2), true), null, NOW);

        assertThat(observed.frontier()).hasValueSatisfying(view -> {
            assertThat(view.rebuilt()).hasValueSatisfying(frontier -> assertThat(frontier.isRestored())
                    .as("workers may still hold leases of the earlier operator").isTrue());
            assertThat(view.batches().getDone()).isEqualTo(1);
        });
    }

    @Test
    void aFrontierRecordedInTheStatusOfAJobThatNeverHadWorkersStartsAsANewOnesDoes() {
        // Left Pending with its frontier recorded: its Spider is missing, so no worker Job was ever created.
        CrawlJob pending = crawlJob(CrawlJobPhase.Pending, 0);

        CrawlJobObservation observed = observe(pending);

        assertThat(observed.frontier()).hasValueSatisfying(view -> assertThat(view.rebuilt())
                .hasValueSatisfying(frontier -> assertThat(frontier.isRestored())
                        .as("no worker can hold a lease: nothing to wait for").isFalse()));
    }

    @Test
    void aPinnedBundleMissingFromTheStoreIsReported() {
        CrawlJob running = crawlJob(CrawlJobPhase.Running, 0);
        CrawlJob garbled = crawlJob(CrawlJobPhase.Running, 0);
        garbled.getStatus().setBundleDigest("not a digest");

        assertThat(observe(running).missingBundle()).contains(RecoveryExamples.PINNED);
        assertThat(observe(garbled).missingBundle()).contains("not a digest");
    }

    @Test
    void aStoreOfDiscoveredRequestsBehindTheStatusFailsTheJobWithAReasonNamingTheInvariant() throws Exception {
        CrawlJob running = crawlJob(CrawlJobPhase.Running, 1);
        DiscoveredRequestsStatus recorded = new DiscoveredRequestsStatus();
        recorded.setCommitSequence(12L);
        running.getStatus().setDiscovered(recorded);
        try (DiscoveredRequestStore emptyStore = DiscoveredRequestStore.open(dataDir.resolve("frontier"))) {
            DiscoveredWorkFactory discovered = new DiscoveredWorkFactory(emptyStore);
            CrawlJobObserver withStore = new CrawlJobObserver(frontiers, items, bundles, new FrontierLayouts(),
                    RETRY_AFTER, discovered::forJob);

            CrawlJobObservation observed = withStore.observe(running, RecoveryExamples.children(
                    RecoveryExamples.workerJob(false, 2), true), null, NOW);

            assertThat(observed.problem()).hasValueSatisfying(problem -> {
                assertThat(problem.reason()).isEqualTo(CrawlJobReasons.FRONTIER_STORE_BEHIND);
                assertThat(problem.message()).contains("commit sequence 12", "holds only 0");
                assertThat(problem.fatal()).isTrue();
            });
        }
    }

    private CrawlJobObservation observe(CrawlJob crawlJob) {
        // A minute later than the lease was granted for 5 s.
        return observer.observe(crawlJob, RecoveryExamples.children(null, false), null, NOW.plusSeconds(60));
    }

    private void storeItems(int count) {
        ItemUpload upload = items.begin(NAME, new BatchId(0, 0));
        upload.append("{\"n\":1}\n".repeat(count).getBytes(StandardCharsets.UTF_8));
        upload.commit();
    }
}
