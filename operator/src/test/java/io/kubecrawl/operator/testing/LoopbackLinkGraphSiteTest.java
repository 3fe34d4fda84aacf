package io.kubecrawl.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.kubecrawl.operator.testing.LoopbackLinkGraphSite.LinkGraph;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite.Shape;
import org.junit.jupiter.api.Test;

class LoopbackLinkGraphSiteTest {

    private static final Pattern HREF = Pattern.compile("href=\"([^\"]+)\"");
    private static final Pattern ITEM = Pattern.compile("<span class=\"item\">([^<]+)</span>");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theSameSeedGeneratesTheSameSiteAndAnotherSeedAnother() {
        Shape shape = Shape.of(4, 2_000);
        LinkGraph once = LinkGraph.generate(shape);
        LinkGraph again = LinkGraph.generate(shape);
        LinkGraph other = LinkGraph.generate(shape.withSeed(7));

        assertThat(IntStream.range(0, 2_000)).allSatisfy(p -> {
            assertThat(again.links(p)).containsExactly(once.links(p));
            assertThat(again.depth(p)).isEqualTo(once.depth(p));
        });
        assertThat(IntStream.range(0, 2_000).filter(p -> !Arrays.equals(other.links(p), once.links(p))))
                .hasSizeGreaterThan(1_900);
    }

    @Test
    void pagesLinkAcrossHostsInCyclesWithDuplicatesAndNoStrayLinksByDefault() {
        LinkGraph graph = LinkGraph.generate(Shape.of(4, 2_000));

        assertThat(IntStream.range(0, 2_000)).allSatisfy(p -> {
            int[] links = graph.links(p);
            assertThat(IntStream.of(links).distinct().count()).isGreaterThanOrEqualTo(5);
            // One link of each page shows twice.
            assertThat(IntStream.of(links).distinct().count()).isEqualTo(links.length - 1);
            assertThat(IntStream.of(links)).allMatch(target -> target >= 0 && target < 2_000 && target != p);
        });
        long crossHost = IntStream.range(0, 2_000).flatMap(p -> IntStream.of(graph.links(p))
                .filter(t -> graph.hostOf(t) != graph.hostOf(p))).count();
        long all = IntStream.range(0, 2_000).mapToLong(p -> graph.links(p).length).sum();
        assertThat(crossHost).isBetween(all / 2, all);
        // Every page links home, so every seed is on a cycle through each page of its host.
        assertThat(graph.links(2_000 - 1)).contains((2_000 - 1) % 4);
    }

    @Test
    void eachPageIsOneLinkDeeperThanTheShallowestPageLinkingToIt() {
        int pages = 20_000;
        LinkGraph graph = LinkGraph.generate(Shape.of(4, pages));
        int[] shallowestLinking = new int[pages];
        Arrays.fill(shallowestLinking, Integer.MAX_VALUE);
        for (int p = 0; p < pages; p++) {
            for (int target : graph.links(p)) {
                shallowestLinking[target] = Math.min(shallowestLinking[target], graph.depth(p));
            }
        }

        assertThat(IntStream.range(0, 4)).allMatch(seed -> graph.depth(seed) == 0);
        assertThat(IntStream.range(4, pages)).allMatch(p -> graph.depth(p) == shallowestLinking[p] + 1);
        // Deep enough that a depth limit cuts the site, and no page is only a seed's neighbour.
        assertThat(IntStream.range(0, pages).map(graph::depth).max().orElseThrow()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void followingEveryLinkFromTheSeedsFetchesEveryPageOnceAndFindsEveryItem() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 600))) {
            Crawl crawl = crawl(site, Integer.MAX_VALUE);

            assertThat(crawl.depths.keySet()).containsExactlyInAnyOrderElementsOf(site.reachablePages());
            assertThat(site.reachablePages()).hasSize(600);
            assertThat(crawl.depths).allSatisfy((url, depth) -> assertThat(site.depthOf(url)).isEqualTo(depth));
            assertThat(crawl.items).containsExactlyInAnyOrderElementsOf(site.expectedItemKeys()).hasSize(1_200);
            assertThat(site.fetchCounts()).hasSize(600).allSatisfy((url, count) -> assertThat(count).isOne());
            assertThat(site.duplicateFetches()).isZero();
            assertThat(site.neverFetched()).isEmpty();
            assertThat(site.missingFetches()).isZero();
            // Links come written in every form, so that a crawler must resolve them.
            assertThat(crawl.hrefs).anyMatch(href -> href.matches("\\d+\\.html"))
                    .anyMatch(href -> href.startsWith("/page/")).anyMatch(href -> href.startsWith("http://"));
        }
    }

    @Test
    void aDepthLimitedCrawlFetchesExactlyThePagesWithinTheDepth() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 2_000))) {
            Crawl crawl = crawl(site, 2);

            assertThat(site.pagesWithinDepth(0)).containsExactlyElementsOf(site.seedUrls());
            assertThat(site.pagesWithinDepth(2)).hasSizeBetween(5, 1_000);
            assertThat(crawl.depths.keySet()).containsExactlyInAnyOrderElementsOf(site.pagesWithinDepth(2));
            assertThat(crawl.items).containsExactlyInAnyOrderElementsOf(site.expectedItemKeys(2));
            assertThat(site.neverFetched()).hasSize(2_000 - site.pagesWithinDepth(2).size());
        }
    }

    @Test
    void countsEveryFetchOfAPageAndThePagesNeverFetched() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 100))) {
            String seed = site.seedUrls().get(1);
            String other = site.pageUrl(9);

            assertThat(get(seed).statusCode()).isEqualTo(200);
            assertThat(get(seed).statusCode()).isEqualTo(200);
            assertThat(get(other).statusCode()).isEqualTo(200);
            // Page 9 is on the second host: on the first it is a missing page, not a fetch of page 9.
            assertThat(get(other.replace("127.0.0.2", "127.0.0.1")).statusCode()).isEqualTo(404);

            assertThat(site.fetchCounts()).containsExactly(Map.entry(seed, 2), Map.entry(other, 1));
            assertThat(site.duplicateFetches()).isOne();
            assertThat(site.neverFetched()).hasSize(98).doesNotContain(seed, other);
            assertThat(site.missingFetches()).isOne();
        }
    }

    @Test
    void twoRequestsInProgressAtOnceToOneHostAreConcurrencyTwo() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(4, 100))) {
            // Sequential requests never overlap.
            get(site.pageUrl(1));
            get(site.pageUrl(5));
            assertThat(site.maxConcurrencyByHost()).containsEntry("127.0.0.2", 1);

            site.hold();
            List<CompletableFuture<HttpResponse<String>>> answers = List.of(getLater(site.pageUrl(1)),
                    getLater(site.pageUrl(5)), getLater(site.pageUrl(2)));
            await().atMost(Duration.ofSeconds(10)).until(() -> fetchesInAll(site) == 5);
            site.release();

            assertThat(answers).allSatisfy(answer -> assertThat(answer.get().statusCode()).isEqualTo(200));
            assertThat(site.maxConcurrencyByHost()).containsExactly(Map.entry("127.0.0.1", 0),
                    Map.entry("127.0.0.2", 2), Map.entry("127.0.0.3", 1), Map.entry("127.0.0.4", 0));
        }
    }

    @Test
    void heldRequestsAreAnsweredOnRelease() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(2, 10))) {
            site.hold();
            CompletableFuture<HttpResponse<String>> answer = getLater(site.pageUrl(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> fetchesInAll(site) == 1);

            assertThat(answer).isNotDone();
            // The stats are answered while the pages are held: a benchmark watches a crawl that the site holds.
            assertThat(get(site.statsUrl()).body()).contains("\"fetches\": 1", "\"inProgress\": 1");

            site.release();
            assertThat(answer.get().statusCode()).isEqualTo(200);
            assertThat(answer.get().body()).contains("<span class=\"item\">Item 2 of page 3</span>");
        }
    }

    @Test
    void answersNoSoonerThanTheLatency() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(1, 5), Duration.ofMillis(100))) {
            long start = System.nanoTime();
            assertThat(get(site.seedUrls().get(0)).statusCode()).isEqualTo(200);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        }
    }

    @Test
    void statsAreServedOnTheFirstHostOnlyAndAreNoFetch() throws Exception {
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(Shape.of(2, 10))) {
            get(site.pageUrl(2));
            get(site.pageUrl(2));

            HttpResponse<String> stats = get(site.statsUrl());
            assertThat(stats.statusCode()).isEqualTo(200);
            assertThat(stats.body()).startsWith("{").endsWith("}").contains("\"pages\": 10", "\"fetches\": 2",
                    "\"pagesFetched\": 1", "\"duplicateFetches\": 1", "\"neverFetched\": 9", "\"inProgress\": 0",
                    "\"maxConcurrencyByHost\": {\"127.0.0.1\": 1, \"127.0.0.2\": 0}");
            assertThat(get(site.statsUrl().replace("127.0.0.1", "127.0.0.2")).statusCode()).isEqualTo(404);
            assertThat(site.missingFetches()).isOne();
            assertThat(fetchesInAll(site)).isEqualTo(2);
        }
    }

    @Test
    void strayLinksAddMissingPagesAndAnUnservedHostToTheSameSite() throws Exception {
        Shape shape = Shape.of(4, 200);
        LinkGraph plain = LinkGraph.generate(shape);
        try (LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(shape.withStrayLinkShare(1))) {
            LinkGraph stray = site.graph();
            assertThat(IntStream.range(0, 200)).allSatisfy(p -> {
                assertThat(stray.links(p)).endsWith(LinkGraph.MISSING, LinkGraph.UNSERVED);
                assertThat(stray.links(p)).startsWith(plain.links(p));
                assertThat(stray.depth(p)).isEqualTo(plain.depth(p));
            });
            String page = get(site.pageUrl(6)).body();
            List<String> hrefs = matches(HREF, page);
            assertThat(hrefs).contains("http://" + site.unservedHost() + ":" + site.port() + "/page/6.html");
            URI missing = URI.create(site.pageUrl(6)).resolve(hrefs.get(hrefs.size() - 2));

            assertThat(get(missing.toString()).statusCode()).isEqualTo(404);
            assertThat(site.missingFetches()).isOne();
            assertThat(site.expectedItemKeys()).hasSize(400);
        }
    }

    /** What a breadth-first crawl from the seeds found: each page's depth, the items, the hrefs as written. */
    private record Crawl(Map<String, Integer> depths, List<String> items, Set<String> hrefs) {
    }

    private Crawl crawl(LoopbackLinkGraphSite site, int maxDepth) throws Exception {
        Map<String, Integer> depths = new LinkedHashMap<>();
        List<String> items = new ArrayList<>();
        Set<String> hrefs = new HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>(site.seedUrls());
        site.seedUrls().forEach(seed -> depths.put(seed, 0));
        while (!queue.isEmpty()) {
            String url = queue.poll();
            String html = get(url).body();
            matches(ITEM, html).forEach(item -> items.add(url + " " + item));
            int depth = depths.get(url);
            for (String href : matches(HREF, html)) {
                hrefs.add(href);
                String target = URI.create(url).resolve(href).toString();
                if (depth < maxDepth && !depths.containsKey(target)) {
                    depths.put(target, depth + 1);
                    queue.add(target);
                }
            }
        }
        return new Crawl(depths, items, hrefs);
    }

    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static int fetchesInAll(LoopbackLinkGraphSite site) {
        return site.fetchCounts().values().stream().mapToInt(Integer::intValue).sum();
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getLater(String url) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
