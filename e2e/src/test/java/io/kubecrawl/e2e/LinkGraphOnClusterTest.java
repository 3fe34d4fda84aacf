package io.kubecrawl.e2e;

import static io.kubecrawl.e2e.ClusterUnderTest.TIMEOUT;
import static io.kubecrawl.e2e.ClusterUnderTest.client;
import static io.kubecrawl.e2e.ClusterUnderTest.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlScopeSpec;
import io.kubecrawl.crd.v1alpha1.DiscoveredRequestsStatus;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Partitioning;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.e2e.cluster.SourceBuiltCluster;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite.Arrival;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite.LinkGraph;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Link-following crawls on the real control plane: a {@link LoopbackLinkGraphSite} (4 loopback hosts, pages found
 * only through links, cycles and cross-host links) crawled by {@link LinkGraphSpider} with the job's frontier
 * (spec.frontier.discovered Frontier, the default) deduplicating what the workers discover. The site counts every
 * fetch, so each test checks what was crawled against what the site holds: the whole site, a scope's share of it,
 * politeness as the site saw it, and a crawl that lost a worker or its operator.
 *
 * <p>How the figures must add up for a whole crawl: each page is processed in exactly one committed batch, which
 * sends every link of the page ({@code links(p)}, duplicates on the page included) to the frontier, so
 * {@code status.discovered.discovered} is the sum of the pages' links; every page but the 4 seeds is accepted once
 * ({@code done}), and every other request is a duplicate. A batch whose attempt died and was run again, or whose
 * completion was committed twice, would break the sum.
 *
 * <p>Needs the source-built cluster's test node, which runs pods on this machine's loopback network (4 site hosts, a
 * worker's processes to kill, the operator's volume as a directory).
 */
@ExtendWith(ClusterUnderTest.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(7)
class LinkGraphOnClusterTest {
    private static final String NAMESPACE = "kubecrawl-linkgraph";
    /** The spider as fast as Scrapy goes: 8 requests per host at once, no delay. */
    private static final String FAST = "linkgraph";
    /** The spider with one request per host at a time in each worker, so that the frontier is all that keeps two. */
    private static final String ONE_AT_A_TIME = "linkgraph-one-at-a-time";
    private static final Pattern ATTEMPT = Pattern.compile("batch (\\d+/\\d+) \\(attempt (\\d+)\\)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * What the site's clock may see less than a worker's Scrapy between two starts: the time from the downloader
     * starting a request to the site's handler noting it varies by up to some 90 ms on a loaded 2-core machine (see
     * worker-image ScrapyHostDelayTest). A worker's first request to a host also sets up Scrapy's HTTP client for it
     * and arrived up to 140 ms late there: the checks start at each worker's second request to a host.
     */
    private static final long TRANSPORT_JITTER_MILLIS = 100;

    /** Figures each test printed, in test order, printed again together at the end. */
    private static final Map<String, String> FIGURES = new LinkedHashMap<>();

    @BeforeAll
    static void applyTheSpiders() {
        Assumptions.assumeTrue(cluster() instanceof SourceBuiltCluster && cluster().siteHosts() >= 4,
                "skipped: needs the source-built cluster's test node (4 loopback site hosts, pods as local processes)");
        LinkGraphSpider spider = new LinkGraphSpider(cluster());
        spider.applyProject(NAMESPACE);
        spider.applySpider(NAMESPACE, FAST, List.of("-s", "CONCURRENT_REQUESTS=32", "-s",
                "CONCURRENT_REQUESTS_PER_DOMAIN=8"));
        spider.applySpider(NAMESPACE, ONE_AT_A_TIME, List.of("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"));
    }

    @AfterAll
    static void printFigures() {
        System.out.println("LinkGraphOnClusterTest figures:\n" + FIGURES.entrySet().stream()
                .map(entry -> "  " + entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining("\n")));
    }

    @Test
    @Order(1)
    void twentyThousandPagesOnFourHostsAreEachFetchedOnceByFourWorkersWithEveryItemOnce() throws Exception {
        String name = "graph-20k";
        int batchSize = 100;
        long started = System.nanoTime();
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 20_000))) {
            try {
                create(name, FAST, site.seedUrls(), 4, spec -> {
                    spec.getFrontier().setBatchSize(batchSize);
                    spec.getFrontier().setLeaseSeconds(60);
                });
                CrawlJob done = awaitFinished(name, Duration.ofMinutes(8));
                long millis = (System.nanoTime() - started) / 1_000_000;

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                Set<String> redone = batchesRunAgain(name);
                int duplicates = site.duplicateFetches();
                List<String> items = items(name);
                figure("a. 20,000 pages, 4 hosts, 4 workers", "pages fetched " + site.fetchCounts().size()
                        + " of " + site.graph().pages() + ", duplicate fetches " + duplicates + ", batches run again "
                        + "after a lease expired " + redone.size() + " " + redone + ", items " + items.size() + ", "
                        + counters(done) + ", " + millis + " ms from create to Succeeded");

                assertThat(site.neverFetched()).as("pages never fetched").isEmpty();
                // A page is fetched twice only when the batch it was in ran again.
                assertThat(duplicates).as("duplicate fetches, with %d batches run again", redone.size())
                        .isLessThanOrEqualTo(redone.size() * batchSize);
                assertThat(items).as("items").doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(site.expectedItemKeys());
                assertThat(done.getStatus().getItems()).isEqualTo(site.expectedItemKeys().size());
                assertDiscoveredAddsUp(done, site.graph());
            } finally {
                delete(name);
            }
        }
    }

    /**
     * maxDepth counts the links followed on the path by which the frontier first accepted a page, as Scrapy's
     * DEPTH_LIMIT does; that is a page's shortest (BFS) depth when shallower requests go first. So this crawl has
     * one slot (partitioning None), one worker and the spider's DEPTH_PRIORITY 1: every page of one depth is fetched
     * before any deeper one, and the crawl must be exactly the pages of depth 2 or less.
     */
    @Test
    @Order(2)
    void maxDepthGivesExactlyThePagesWithinThatManyLinksOfASeed() throws Exception {
        String name = "graph-depth-2";
        int maxDepth = 2;
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 2_000))) {
            try {
                create(name, FAST, site.seedUrls(), 1, spec -> {
                    spec.getFrontier().setPartitioning(Partitioning.None);
                    spec.getFrontier().setBatchSize(20);
                    spec.getFrontier().setMaxBatchesPerWorker(1);
                    spec.setScope(scope(scope -> scope.setMaxDepth(maxDepth)));
                });
                CrawlJob done = awaitFinished(name, TIMEOUT);
                figure("b. maxDepth " + maxDepth, "pages fetched " + site.fetchCounts().size() + " (of depth <= "
                        + maxDepth + ": " + site.pagesWithinDepth(maxDepth).size() + "), " + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(site.fetchCounts().keySet()).as("pages fetched")
                        .containsExactlyInAnyOrderElementsOf(site.pagesWithinDepth(maxDepth));
                assertThat(site.duplicateFetches()).as("duplicate fetches").isZero();
                assertThat(items(name)).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(site.expectedItemKeys(maxDepth));
                assertThat(done.getStatus().getDiscovered().getOutOfScope()).as("requests too deep").isPositive();
            } finally {
                delete(name);
            }
        }
    }

    @Test
    @Order(3)
    void allowedDomainsLimitTheCrawlToTheListedHostsExactly() throws Exception {
        String name = "graph-two-hosts";
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 2_000))) {
            List<String> allowed = List.of("127.0.0.1", "127.0.0.2");
            try {
                create(name, FAST, site.seedUrls().subList(0, 2), 2,
                        spec -> spec.setScope(scope(scope -> scope.setAllowedDomains(allowed))));
                CrawlJob done = awaitFinished(name, TIMEOUT);
                Set<Integer> expected = reachableWithin(site.graph(), Set.of(0, 1));
                figure("b. allowedDomains " + allowed, "pages fetched " + site.fetchCounts().size() + " (reachable "
                        + "through those hosts: " + expected.size() + ", on them: " + site.graph().pages() / 2 + "), "
                        + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(site.fetchCounts().keySet()).as("pages fetched").containsExactlyInAnyOrderElementsOf(
                        expected.stream().sorted().map(site::pageUrl).toList());
                assertThat(site.fetchCounts().keySet()).allSatisfy(url -> assertThat(URI.create(url).getHost())
                        .isIn(allowed));
                assertThat(site.duplicateFetches()).as("duplicate fetches").isZero();
                assertThat(done.getStatus().getDiscovered().getOutOfScope()).as("requests to other hosts")
                        .isPositive();
            } finally {
                delete(name);
            }
        }
    }

    @Test
    @Order(4)
    void maxRequestsGivesExactlyThatManyPagesBeyondTheSeeds() throws Exception {
        String name = "graph-max-requests";
        long maxRequests = 300;
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 2_000))) {
            try {
                create(name, FAST, site.seedUrls(), 2,
                        spec -> spec.setScope(scope(scope -> scope.setMaxRequests(maxRequests))));
                CrawlJob done = awaitFinished(name, TIMEOUT);
                List<String> items = items(name);
                figure("b. maxRequests " + maxRequests, "pages fetched " + site.fetchCounts().size()
                        + " (4 seeds + " + maxRequests + "), items " + items.size() + ", " + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                // maxRequests counts accepted discovered requests; the seeds are not among them.
                assertThat(site.fetchCounts()).as("pages fetched").hasSize(4 + (int) maxRequests);
                assertThat(site.duplicateFetches()).as("duplicate fetches").isZero();
                assertThat(done.getStatus().getDiscovered().getDone()).isEqualTo(maxRequests);
                List<String> expectedItems = site.expectedItemKeys().stream()
                        .filter(key -> site.fetchCounts().containsKey(key.substring(0, key.indexOf(' ')))).toList();
                assertThat(items).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedItems)
                        .hasSize(2 * (4 + (int) maxRequests));
            } finally {
                delete(name);
            }
        }
    }

    /**
     * Each worker's spider fetches one request per host at a time (CONCURRENT_REQUESTS_PER_DOMAIN 1); what keeps two
     * workers off one host is the frontier leasing at most one batch of a slot at a time. Six workers for four hosts,
     * each asking for two batches: idle workers and spare session places want the busy slots' batches. The site
     * answers after 20 ms, so that two requests to a host at once would overlap.
     */
    @Test
    @Order(5)
    void withOneLeasePerSlotTheSiteNeverSeesTwoRequestsToOneHostAtOnce() throws Exception {
        String name = "graph-one-lease-per-slot";
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 600), Duration.ofMillis(20))) {
            try {
                create(name, ONE_AT_A_TIME, site.seedUrls(), 6, spec -> {
                    spec.getFrontier().setMaxLeasesPerSlot(1);
                    spec.getFrontier().setBatchSize(20);
                });
                CrawlJob done = awaitFinished(name, TIMEOUT);
                Map<String, Set<String>> workersByHost = new TreeMap<>();
                site.arrivals().forEach(arrival -> workersByHost.computeIfAbsent(arrival.host(),
                        host -> new java.util.TreeSet<>()).add(arrival.crawler()));
                figure("c. maxLeasesPerSlot 1", "most requests in progress at once by host "
                        + site.maxConcurrencyByHost() + ", workers that fetched from each host " + workersByHost
                        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(),
                                (a, b) -> a, TreeMap::new)) + ", " + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(site.neverFetched()).as("pages never fetched").isEmpty();
                assertThat(site.maxConcurrencyByHost()).as("most requests in progress at once, by host")
                        .hasSize(4).allSatisfy((host, most) -> assertThat(most).as(host).isEqualTo(1));
                assertThat(workersByHost.values().stream().flatMap(Set::stream).distinct())
                        .as("workers that fetched").hasSizeGreaterThan(1).doesNotContain("");
            } finally {
                delete(name);
            }
        }
    }

    /**
     * The fast spider (8 requests per host at once, no delay of its own) with minHostDelayMillis 250: the gaps the
     * site sees between two requests of one worker to one host. The guarantee is per worker (the CRD says so); the
     * gaps where one host passes from one worker to another are printed, not asserted.
     */
    @Test
    @Order(6)
    void minHostDelayKeepsEachWorkersRequestsToOneHostApart() throws Exception {
        String name = "graph-min-host-delay";
        int minimum = 250;
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 160))) {
            try {
                create(name, FAST, site.seedUrls(), 2, spec -> {
                    spec.getFrontier().setMinHostDelayMillis(minimum);
                    spec.getFrontier().setBatchSize(20);
                });
                CrawlJob done = awaitFinished(name, TIMEOUT);
                Map<String, List<Long>> gapsByWorkerAndHost = new TreeMap<>();
                Map<String, Long> leastGapByHost = new TreeMap<>();
                groupedArrivals(site, arrival -> arrival.crawler() + " -> " + arrival.host())
                        .forEach((key, arrivals) -> gapsByWorkerAndHost.put(key, gapsMillis(arrivals)));
                groupedArrivals(site, Arrival::host).forEach((host, arrivals) -> leastGapByHost.put(host,
                        gapsMillis(arrivals).stream().min(Long::compare).orElse(-1L)));
                figure("c. minHostDelayMillis " + minimum, "least gap by worker and host (ms) " + gapsByWorkerAndHost
                        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stream()
                                .min(Long::compare).orElse(-1L), (a, b) -> a, TreeMap::new)) + ", least gap by host "
                        + "over all workers (ms) " + leastGapByHost + ", " + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(site.neverFetched()).as("pages never fetched").isEmpty();
                assertThat(gapsByWorkerAndHost).isNotEmpty().allSatisfy((key, gaps) -> {
                    assertThat(key).doesNotStartWith(" ");
                    List<Long> checked = gaps.isEmpty() ? gaps : gaps.subList(1, gaps.size());
                    assertThat(checked).as("gaps of %s (ms), from its second request", key).allSatisfy(gap ->
                            assertThat(gap).isGreaterThanOrEqualTo(minimum - TRANSPORT_JITTER_MILLIS));
                    // Kept up: a late request does not let later ones come early.
                    long sinceSecond = 0;
                    for (int k = 0; k < checked.size(); k++) {
                        sinceSecond += checked.get(k);
                        assertThat(sinceSecond).as("ms from the second request of %s to request %d", key, k + 3)
                                .isGreaterThanOrEqualTo((long) minimum * (k + 1) - TRANSPORT_JITTER_MILLIS);
                    }
                });
            } finally {
                delete(name);
            }
        }
    }

    /**
     * A worker pod's processes SIGKILLed (the agent and its spider, as a cgroup kill does) while its batch has requests
     * in flight: the site holds every answer, so the batch is certainly mid-way. The batch's discovered requests go
     * only with its completion, so they reach the frontier once, from the attempt that runs it again after the
     * lease expires; the sum of discovered requests shows it.
     */
    @Test
    @Order(7)
    void aWorkerKilledMidBatchLosesNothingAndAddsNothingTwice() throws Exception {
        String name = "graph-worker-killed";
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 1_500), Duration.ofMillis(10))) {
            String killed;
            try {
                create(name, FAST, site.seedUrls(), 3, spec -> {
                    spec.getFrontier().setBatchSize(20);
                    spec.getFrontier().setLeaseSeconds(10);
                });
                await("pages fetched by the workers").atMost(TIMEOUT).until(() -> site.fetchCounts().size() >= 200);
                long held = System.nanoTime();
                site.hold();
                try {
                    // A worker whose request came after the hold has it in flight: its batch is certainly mid-way.
                    killed = await("a request held on the site").atMost(TIMEOUT).until(() -> site.arrivals().stream()
                            .filter(arrival -> arrival.nanos() > held).map(Arrival::crawler).findFirst()
                            .orElse(null), crawler -> crawler != null);
                    Process run = ((SourceBuiltCluster) cluster()).process(NAMESPACE, killed, "run")
                            .orElseThrow(() -> new AssertionError("no running container 'run' of " + name));
                    run.descendants().forEach(ProcessHandle::destroyForcibly);
                    run.destroyForcibly();
                    assertThat(run.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    assertThat(run.exitValue()).as("exit status of the killed agent").isEqualTo(137);
                } finally {
                    site.release();
                }
                CrawlJob done = awaitFinished(name, TIMEOUT);
                Set<String> redone = batchesRunAgain(name);
                List<String> items = items(name);
                figure("d. worker " + killed + " SIGKILLed mid-batch", "pages fetched " + site.fetchCounts().size()
                        + " of " + site.graph().pages() + ", duplicate fetches " + site.duplicateFetches()
                        + ", batches run again " + redone.size() + " " + redone + ", items " + items.size() + ", "
                        + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(redone).as("batches run again after the worker died").isNotEmpty();
                assertThat(site.duplicateFetches()).as("duplicate fetches, with %d batches run again", redone.size())
                        .isLessThanOrEqualTo(redone.size() * 20);
                assertThat(site.neverFetched()).as("pages never fetched").isEmpty();
                assertThat(items).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(site.expectedItemKeys());
                assertDiscoveredAddsUp(done, site.graph());
            } finally {
                delete(name);
            }
        }
    }

    /**
     * The operator killed twice during a link-following crawl, at a batch lease (the worker never hears of it) and
     * right after a completion and its discovered requests were committed to the store, before any status checkpoint
     * recorded them. The points are armed mid-crawl, with the site holding every answer while the chart rolls the
     * operator, so both fire on discovered batches, not on the seeds'.
     */
    @Test
    @Order(8)
    void theOperatorKilledAtTwoPointsLosesNoDiscoveredRequestAndAddsNoneTwice() throws Exception {
        String name = "graph-operator-killed";
        String points = "BATCH_LEASED ITEMS_COMMITTED";
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 1_500), Duration.ofMillis(10))) {
            try {
                create(name, FAST, site.seedUrls(), 2, spec -> {
                    spec.getFrontier().setBatchSize(20);
                    spec.getFrontier().setLeaseSeconds(15);
                });
                await("discovered batches done").atMost(TIMEOUT).until(() -> {
                    CrawlJob job = crawlJob(name);
                    return job.getStatus() != null && job.getStatus().getDiscovered() != null
                            && job.getStatus().getDiscovered().getDone() != null
                            && job.getStatus().getDiscovered().getDone() > 50;
                });
                int restarts;
                site.hold();
                try {
                    restarts = armMidCrawl(points);
                } finally {
                    site.release();
                }
                await("the operator halted at " + points + " and restarted").atMost(TIMEOUT)
                        .until(() -> ChartOnClusterTest.restartCount(ChartOnClusterTest.operatorPod())
                                >= restarts + 2);
                CrawlJob done = awaitFinished(name, TIMEOUT);
                Set<String> redone = batchesRunAgain(name);
                List<String> items = items(name);
                figure("d. operator killed at " + points, "operator restarts " + (ChartOnClusterTest.restartCount(
                        ChartOnClusterTest.operatorPod()) - restarts) + ", pages fetched " + site.fetchCounts().size()
                        + " of " + site.graph().pages() + ", duplicate fetches " + site.duplicateFetches()
                        + ", batches run again " + redone.size() + ", items " + items.size() + ", " + counters(done));

                assertThat(done.getStatus().getPhase()).as(describe(done)).isEqualTo(CrawlJobPhase.Succeeded);
                assertThat(site.neverFetched()).as("pages never fetched").isEmpty();
                // Attempts count leases in one operator's life, so a batch run again across a restart need not show
                // in the logs as one. At most the batches in flight at the two deaths run again: 2 workers holding
                // 2 batches of 20 each, twice. The sums below are exact.
                assertThat(site.duplicateFetches()).as("duplicate fetches").isLessThanOrEqualTo(2 * 2 * 2 * 20);
                assertThat(items).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(site.expectedItemKeys());
                assertDiscoveredAddsUp(done, site.graph());
            } finally {
                delete(name);
            }
        }
    }

    /**
     * Arms the kill points through the chart while a job runs (the chart rolls the operator: Recreate), after removing
     * their markers from the operator's volume: a point fires once per volume, and KillPointsOnClusterTest may have
     * fired these on it already. Returns the restart count of the armed pod's operator container.
     */
    private static int armMidCrawl(String points) throws IOException {
        for (PersistentVolumeClaim claim : client().persistentVolumeClaims().inNamespace(KubecrawlChart.NAMESPACE)
                .list().getItems()) {
            PersistentVolume volume = client().persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
            if (volume != null && volume.getSpec().getHostPath() != null) {
                for (String point : points.split(" ")) {
                    Files.deleteIfExists(Path.of(volume.getSpec().getHostPath().getPath(), "kill-points", point));
                }
            }
        }
        KubecrawlChart.upgrade(cluster().kubeConfig(), cluster().operatorImage(), cluster().workerImage(),
                Map.of("extraEnv[0].name", "KUBECRAWL_TEST_KILL_POINTS", "extraEnv[0].value", points), TIMEOUT);
        Pod operator = await("the operator's pod with kill points " + points).atMost(TIMEOUT)
                .until(ChartOnClusterTest::operatorPod, pod -> ChartOnClusterTest.isReady(pod)
                        && pod.getSpec().getContainers().get(0).getEnv().stream()
                                .anyMatch(variable -> points.equals(variable.getValue())));
        return ChartOnClusterTest.restartCount(operator);
    }

    /** What a whole crawl's discovered counters must be, with each page processed in exactly one committed batch. */
    private static void assertDiscoveredAddsUp(CrawlJob done, LinkGraph graph) {
        long links = 0;
        for (int page = 0; page < graph.pages(); page++) {
            links += graph.links(page).length;
        }
        long accepted = graph.pages() - 4;
        DiscoveredRequestsStatus discovered = done.getStatus().getDiscovered();
        assertThat(discovered).as("status.discovered").isNotNull();
        assertThat(discovered.getDiscovered()).as("discovered: the links of every page, once").isEqualTo(links);
        assertThat(discovered.getDone()).as("done: every page but the seeds, once").isEqualTo(accepted);
        assertThat(discovered.getDuplicates()).as("duplicates").isEqualTo(links - accepted);
        assertThat(discovered.getOutOfScope()).as("outOfScope").isZero();
        assertThat(discovered.getQueued()).as("queued").isZero();
        assertThat(discovered.getLeased()).as("leased").isZero();
    }

    /** The pages a crawl from {@code seeds} reaches by links to pages on the seeds' hosts only. */
    private static Set<Integer> reachableWithin(LinkGraph graph, Set<Integer> seeds) {
        Set<Integer> hosts = new HashSet<>();
        seeds.forEach(seed -> hosts.add(graph.hostOf(seed)));
        Set<Integer> reached = new HashSet<>(seeds);
        ArrayDeque<Integer> queue = new ArrayDeque<>(seeds);
        while (!queue.isEmpty()) {
            for (int target : graph.links(queue.poll())) {
                if (target >= 0 && hosts.contains(graph.hostOf(target)) && reached.add(target)) {
                    queue.add(target);
                }
            }
        }
        return reached;
    }

    private static Map<String, List<Arrival>> groupedArrivals(LoopbackLinkGraphSite site,
            java.util.function.Function<Arrival, String> key) {
        return site.arrivals().stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.toList()));
    }

    /** The times between consecutive arrivals, in ms. */
    private static List<Long> gapsMillis(List<Arrival> arrivals) {
        List<Long> sorted = arrivals.stream().map(Arrival::nanos).sorted().toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            gaps.add((sorted.get(i) - sorted.get(i - 1)) / 1_000_000);
        }
        return gaps;
    }

    private static CrawlScopeSpec scope(Consumer<CrawlScopeSpec> settings) {
        CrawlScopeSpec scope = new CrawlScopeSpec();
        settings.accept(scope);
        return scope;
    }

    private static void create(String name, String spider, List<String> seeds, int workers,
            Consumer<CrawlJobSpec> tune) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference(spider));
        spec.setWorkers(workers);
        spec.setSeeds(seeds.stream().map(LinkGraphOnClusterTest::seenByPods).toList());
        spec.setFrontier(new FrontierSpec());
        tune.accept(spec);
        crawlJob.setSpec(spec);
        client().resource(crawlJob).create();
    }

    /** A URL of the site as the cluster's pods reach it (the same on the test node, which shares loopback). */
    private static String seenByPods(String url) {
        URI uri = URI.create(url);
        return url.replace(uri.getAuthority(), cluster().siteAuthority(uri.getHost(), uri.getPort()));
    }

    /** Deletes the job (and so its workers, items and discovered requests), and waits until it is gone. */
    private static void delete(String name) {
        client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name).delete();
        await("CrawlJob " + name + " deleted").atMost(TIMEOUT)
                .until(() -> client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name).get() == null);
    }

    private static CrawlJob crawlJob(String name) {
        return client().resources(CrawlJob.class).inNamespace(NAMESPACE).withName(name).get();
    }

    private static CrawlJob awaitFinished(String name, Duration timeout) {
        return await("CrawlJob " + name + " finished").atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(() -> crawlJob(name), job -> job != null && job.getStatus() != null
                        && job.getStatus().getPhase() != null && job.getStatus().getPhase().isFinished());
    }

    private static List<String> items(String name) throws Exception {
        HttpResponse<String> items = CrawlOnClusterTest.api().items(NAMESPACE, name, CrawlOnClusterTest.adminToken());
        assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
        return LinkGraphSpider.itemKeys(items.body());
    }

    /** Batches that some worker's log shows with an attempt after the first. */
    private static Set<String> batchesRunAgain(String name) throws Exception {
        HttpResponse<String> workers = CrawlOnClusterTest.api().logs(NAMESPACE, name, null,
                CrawlOnClusterTest.adminToken());
        Set<String> again = new java.util.TreeSet<>();
        for (JsonNode worker : JSON.readTree(workers.body())) {
            Matcher attempt = ATTEMPT.matcher(CrawlOnClusterTest.api().logs(NAMESPACE, name, worker.asText(),
                    CrawlOnClusterTest.adminToken()).body());
            while (attempt.find()) {
                if (Integer.parseInt(attempt.group(2)) > 1) {
                    again.add(attempt.group(1));
                }
            }
        }
        return again;
    }

    private static String counters(CrawlJob job) {
        DiscoveredRequestsStatus discovered = job.getStatus().getDiscovered();
        return "status.discovered " + (discovered == null ? "none" : "discovered " + discovered.getDiscovered()
                + ", done " + discovered.getDone() + ", filtered " + discovered.getFiltered() + " (duplicates "
                + discovered.getDuplicates() + ", outOfScope " + discovered.getOutOfScope() + "), batches "
                + discovered.getBatches()) + ", items " + job.getStatus().getItems();
    }

    private static String describe(CrawlJob job) {
        return "CrawlJob " + job.getMetadata().getName() + ": phase " + job.getStatus().getPhase() + ", conditions "
                + job.getStatus().getConditions().stream().map(c -> c.getType() + "=" + c.getStatus() + " ("
                        + c.getReason() + ": " + c.getMessage() + ")").toList() + ", " + counters(job);
    }

    private static void figure(String test, String figures) {
        System.out.println(test + ": " + figures);
        FIGURES.put(test, figures);
    }
}
