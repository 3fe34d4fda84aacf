package io.kubecrawl.operator.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * A site whose pages are found only by following links, served on loopback under several host addresses (127.0.0.1,
 * 127.0.0.2, ...) on one port, so that host partitioning sees several hosts: for crawls that discover their work, as
 * opposed to {@link LoopbackQuotesSite}, whose pages are all seeds.
 *
 * <p>The link graph is generated from a seed, so every run of a benchmark and every test sees the same site: each
 * host's first page is a seed, a random spanning tree makes every page reachable from the seeds, and further random
 * links (most of them to other hosts) add cycles and several ways into most pages. Each page's depth is its BFS
 * distance from the seeds, so a depth-limited crawl's expected pages are known exactly.
 *
 * <p>The site records what a crawl did to it: how often each page was fetched, and how many requests each host had in
 * progress at once (from a request's arrival until its answer starts, held and latency time included; counted
 * until the answer had gone, a crawler's next request, sent the moment it had the answer, could find the last one
 * still counted), which is the
 * politeness a crawler actually kept.
 *
 * <p>{@link #main} serves it as a process of its own, for crawlers that are not Java (benchmarks/link-following).
 */
public final class LoopbackLinkGraphSite implements AutoCloseable {

    /** Served on 127.0.0.1 only, answered at once whether held or not, and not counted as a fetch. */
    public static final String STATS_PATH = "/_stats";

    private static final Pattern PAGE = Pattern.compile("/page/(\\d+)\\.html");
    /**
     * The request header a crawler may name itself in (the e2e spider sends its worker's name), so that the site can
     * tell one crawler's requests from another's.
     */
    public static final String CRAWLER_HEADER = "X-Kubecrawl-Worker";

    private final Shape shape;
    private final LinkGraph graph;
    private final LoopbackHosts hosts;
    private final AtomicIntegerArray fetches;
    private final AtomicInteger missingFetches = new AtomicInteger();
    private final AtomicInteger[] inProgress;
    private final AtomicInteger[] maxInProgress;
    /** When the first request came and the last answer went: a crawl's rate without its processes' start and stop. */
    private final AtomicLong firstArrivalMillis = new AtomicLong();
    private final AtomicLong lastAnswerMillis = new AtomicLong();
    private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();

    /**
     * One request as it came, stats path excepted: the host's address, the crawler named in {@link #CRAWLER_HEADER}
     * ("" without one), and {@link System#nanoTime()} at its arrival.
     */
    public record Arrival(String host, String crawler, long nanos) {
    }

    /**
     * What to generate.
     *
     * @param seed of the {@link SplittableRandom} that draws the links: the same shape is the same site
     * @param minLinks fewest distinct pages a page links to (a spanning tree's parent may have more)
     * @param strayLinkShare share of pages that also link to a page their host does not have (404) and to a page on a
     *     host that is not served ({@link LoopbackLinkGraphSite#unservedHost()}), as real sites do; such links lead
     *     to no item and count for no depth
     */
    public record Shape(int hosts, int pages, long seed, int minLinks, int maxLinks, int itemsPerPage,
            double strayLinkShare) {

        public static final long DEFAULT_SEED = 0x11ec_6a7e_5eedL;

        public Shape {
            if (hosts < 1 || hosts > 250) {
                throw new IllegalArgumentException("hosts must be 1..250 (127.0.0.1..): " + hosts);
            }
            if (pages < hosts) {
                throw new IllegalArgumentException("at least one page per host (its seed): " + pages);
            }
            if (minLinks < 1 || maxLinks < minLinks) {
                throw new IllegalArgumentException("links per page: " + minLinks + ".." + maxLinks);
            }
            if (itemsPerPage < 0 || !(strayLinkShare >= 0 && strayLinkShare <= 1)) {
                throw new IllegalArgumentException("items per page " + itemsPerPage + ", stray link share "
                        + strayLinkShare);
            }
        }

        /** 5 to 10 links and 2 items a page, no stray links. */
        public static Shape of(int hosts, int pages) {
            return new Shape(hosts, pages, DEFAULT_SEED, 5, 10, 2, 0);
        }

        public Shape withSeed(long newSeed) {
            return new Shape(hosts, pages, newSeed, minLinks, maxLinks, itemsPerPage, strayLinkShare);
        }

        public Shape withStrayLinkShare(double share) {
            return new Shape(hosts, pages, seed, minLinks, maxLinks, itemsPerPage, share);
        }
    }

    /**
     * Who links to whom, by page number: page {@code p} is on host {@code p % hosts} (0-based), and pages
     * {@code 0..hosts-1} are the seeds, one per host.
     */
    public static final class LinkGraph {

        /** A link to a page number its host does not serve. */
        public static final int MISSING = -1;
        /** A link to a host that is not served at all. */
        public static final int UNSERVED = -2;

        private final int hosts;
        private final int[][] links;
        private final int[] depths;

        private LinkGraph(int hosts, int[][] links) {
            this.hosts = hosts;
            this.links = links;
            this.depths = breadthFirstDepths(hosts, links);
        }

        static LinkGraph generate(Shape shape) {
            SplittableRandom random = new SplittableRandom(shape.seed());
            // Stray links draw from a stream of their own, so that turning them on adds links to the same site.
            SplittableRandom strays = random.split();
            int pages = shape.pages();
            List<List<Integer>> children = new ArrayList<>(pages);
            for (int p = 0; p < pages; p++) {
                children.add(new ArrayList<>());
            }
            // A random recursive tree over the pages, rooted at the seeds: each later page hangs from an earlier one,
            // which makes every page reachable and gives depths that grow like the logarithm of the site's size.
            for (int p = shape.hosts(); p < pages; p++) {
                children.get(random.nextInt(p)).add(p);
            }
            int[][] links = new int[pages][];
            for (int p = 0; p < pages; p++) {
                int wanted = shape.minLinks() + random.nextInt(shape.maxLinks() - shape.minLinks() + 1);
                Set<Integer> targets = new LinkedHashSet<>(children.get(p));
                if (p >= shape.hosts()) {
                    // Every page links home, as a site's navigation does: cycles through the seeds on every host.
                    targets.add(p % shape.hosts());
                }
                while (targets.size() < Math.min(wanted, pages - 1)) {
                    int target = random.nextInt(pages);
                    if (target != p) {
                        targets.add(target);
                    }
                }
                List<Integer> ordered = new ArrayList<>(targets);
                shuffle(ordered, random);
                if (!ordered.isEmpty()) {
                    // The same link twice on a page, as header and footer do: a crawler must fetch it once.
                    ordered.add(ordered.get(random.nextInt(ordered.size())));
                }
                if (shape.strayLinkShare() > 0 && strays.nextDouble() < shape.strayLinkShare()) {
                    ordered.add(MISSING);
                    ordered.add(UNSERVED);
                }
                links[p] = ordered.stream().mapToInt(Integer::intValue).toArray();
            }
            return new LinkGraph(shape.hosts(), links);
        }

        private static void shuffle(List<Integer> list, SplittableRandom random) {
            for (int i = list.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                list.set(i, list.set(j, list.get(i)));
            }
        }

        private static int[] breadthFirstDepths(int hosts, int[][] links) {
            int[] depths = new int[links.length];
            Arrays.fill(depths, -1);
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            for (int seed = 0; seed < hosts; seed++) {
                depths[seed] = 0;
                queue.add(seed);
            }
            while (!queue.isEmpty()) {
                int page = queue.poll();
                for (int target : links[page]) {
                    if (target >= 0 && depths[target] < 0) {
                        depths[target] = depths[page] + 1;
                        queue.add(target);
                    }
                }
            }
            return depths;
        }

        public int pages() {
            return links.length;
        }

        public int hostOf(int page) {
            return page % hosts;
        }

        /** The page's links in the order the page shows them, duplicates and stray links included. */
        public int[] links(int page) {
            return links[page].clone();
        }

        /** Fewest links from a seed to the page; -1 if no seed leads to it (which the generator never does). */
        public int depth(int page) {
            return depths[page];
        }
    }

    public LoopbackLinkGraphSite(Shape shape) throws IOException {
        this(shape, Duration.ZERO);
    }

    /**
     * @param latency how long every answer is held back, as a remote site's network and server time would: the
     *     crawl then waits on the site rather than on the CPU, as real crawls mostly do
     */
    public LoopbackLinkGraphSite(Shape shape, Duration latency) throws IOException {
        this.shape = shape;
        this.graph = LinkGraph.generate(shape);
        this.fetches = new AtomicIntegerArray(shape.pages());
        this.inProgress = new AtomicInteger[shape.hosts()];
        this.maxInProgress = new AtomicInteger[shape.hosts()];
        for (int h = 0; h < shape.hosts(); h++) {
            inProgress[h] = new AtomicInteger();
            maxInProgress[h] = new AtomicInteger();
        }
        // A backlog that several crawler processes' connections fit in at once: a refused connection would be a
        // crawler's error the site caused.
        this.hosts = new LoopbackHosts(shape.hosts(), 256, latency, new LoopbackHosts.Pages() {
            @Override
            public boolean arrived(int host, HttpExchange exchange) throws IOException {
                return count(host, exchange);
            }

            @Override
            public void answer(int host, HttpExchange exchange) throws IOException {
                LoopbackLinkGraphSite.this.answer(host, exchange);
            }

            @Override
            public void answered(int host) {
                inProgress[host].decrementAndGet();
                lastAnswerMillis.set(System.currentTimeMillis());
            }
        });
    }

    public Shape shape() {
        return shape;
    }

    public LinkGraph graph() {
        return graph;
    }

    public int port() {
        return hosts.port();
    }

    /** The seeds' URLs, one per host, in host order. */
    public List<String> seedUrls() {
        List<String> urls = new ArrayList<>();
        for (int seed = 0; seed < shape.hosts(); seed++) {
            urls.add(pageUrl(seed));
        }
        return urls;
    }

    public String pageUrl(int page) {
        return "http://" + LoopbackHosts.hostName(graph.hostOf(page)) + ":" + hosts.port() + pagePath(page);
    }

    /** The host that stray links point to: a loopback address next to the served ones, where nothing listens. */
    public String unservedHost() {
        return LoopbackHosts.hostName(shape.hosts());
    }

    public String statsUrl() {
        return "http://" + LoopbackHosts.hostName(0) + ":" + hosts.port() + STATS_PATH;
    }

    /** Every page a crawl from the seeds can reach, in page order: all of them, by construction. */
    public List<String> reachablePages() {
        return pagesWithinDepth(Integer.MAX_VALUE);
    }

    /** The pages a crawl limited to {@code depth} links from the seeds fetches (Scrapy's DEPTH_LIMIT; seeds are 0). */
    public List<String> pagesWithinDepth(int depth) {
        List<String> urls = new ArrayList<>();
        for (int p = 0; p < graph.pages(); p++) {
            if (graph.depth(p) >= 0 && graph.depth(p) <= depth) {
                urls.add(pageUrl(p));
            }
        }
        return urls;
    }

    public int depthOf(String url) {
        return graph.depth(pageNumber(url));
    }

    /** Every item the site holds, as "page URL, space, item text": what a full crawl's items must be, each once. */
    public List<String> expectedItemKeys() {
        return expectedItemKeys(Integer.MAX_VALUE);
    }

    /** The items of the pages within {@code depth} links from the seeds. */
    public List<String> expectedItemKeys(int depth) {
        List<String> keys = new ArrayList<>();
        for (int p = 0; p < graph.pages(); p++) {
            if (graph.depth(p) >= 0 && graph.depth(p) <= depth) {
                for (int i = 1; i <= shape.itemsPerPage(); i++) {
                    keys.add(pageUrl(p) + " " + itemText(p, i));
                }
            }
        }
        return keys;
    }

    /** How often each page that was fetched at all was fetched, by URL, in page order. */
    public Map<String, Integer> fetchCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int p = 0; p < graph.pages(); p++) {
            if (fetches.get(p) > 0) {
                counts.put(pageUrl(p), fetches.get(p));
            }
        }
        return counts;
    }

    /** Fetches of a page beyond its first, added up over the pages. */
    public int duplicateFetches() {
        int duplicates = 0;
        for (int p = 0; p < graph.pages(); p++) {
            duplicates += Math.max(0, fetches.get(p) - 1);
        }
        return duplicates;
    }

    /** The pages no request reached, in page order. */
    public List<String> neverFetched() {
        List<String> urls = new ArrayList<>();
        for (int p = 0; p < graph.pages(); p++) {
            if (fetches.get(p) == 0) {
                urls.add(pageUrl(p));
            }
        }
        return urls;
    }

    /** Requests for a path the site does not have: stray links followed, or a crawler's own mistakes. */
    public int missingFetches() {
        return missingFetches.get();
    }

    /** The most requests each host had in progress at once, by host address, in host order. */
    public Map<String, Integer> maxConcurrencyByHost() {
        Map<String, Integer> byHost = new LinkedHashMap<>();
        for (int h = 0; h < shape.hosts(); h++) {
            byHost.put(LoopbackHosts.hostName(h), maxInProgress[h].get());
        }
        return byHost;
    }

    /** Every request that came, in no particular order (sort by {@link Arrival#nanos()}). */
    public List<Arrival> arrivals() {
        return List.copyOf(arrivals);
    }

    /** Requests in progress now, over all hosts: a crawl that has requests waiting on the site. */
    public int inProgress() {
        int busy = 0;
        for (AtomicInteger host : inProgress) {
            busy += host.get();
        }
        return busy;
    }

    /**
     * Holds every answer from now on until {@link #release()}: a crawl stops where it is, with its requests in flight,
     * so that a test can act on a crawl that is certainly still running, however fast the machine.
     */
    public void hold() {
        hosts.hold();
    }

    /** Answers the requests held since {@link #hold()}, and every later one as usual. */
    public void release() {
        hosts.release();
    }

    /** The recorded figures as one JSON object, for {@link #STATS_PATH} and {@link #main}'s stats file. */
    public String statsJson() {
        int fetched = 0;
        long total = 0;
        for (int p = 0; p < graph.pages(); p++) {
            total += fetches.get(p);
            fetched += fetches.get(p) > 0 ? 1 : 0;
        }
        int busy = 0;
        StringBuilder maxByHost = new StringBuilder();
        for (int h = 0; h < shape.hosts(); h++) {
            busy += inProgress[h].get();
            maxByHost.append(h == 0 ? "" : ", ").append('"').append(LoopbackHosts.hostName(h)).append("\": ")
                    .append(maxInProgress[h].get());
        }
        return "{\"pages\": " + graph.pages() + ", \"fetches\": " + total + ", \"pagesFetched\": " + fetched
                + ", \"duplicateFetches\": " + duplicateFetches() + ", \"neverFetched\": " + (graph.pages() - fetched)
                + ", \"missingFetches\": " + missingFetches.get() + ", \"inProgress\": " + busy
                + ", \"firstArrivalMillis\": " + firstArrivalMillis.get() + ", \"lastAnswerMillis\": "
                + lastAnswerMillis.get() + ", \"maxConcurrencyByHost\": {" + maxByHost + "}}";
    }

    /** Counts a request as it comes (the stats path excepted, answered at once): false when it was answered. */
    private boolean count(int host, HttpExchange exchange) throws IOException {
        if (host == 0 && exchange.getRequestURI().getPath().equals(STATS_PATH)) {
            send(exchange, 200, "application/json", statsJson());
            return false;
        }
        firstArrivalMillis.compareAndSet(0, System.currentTimeMillis());
        String crawler = exchange.getRequestHeaders().getFirst(CRAWLER_HEADER);
        arrivals.add(new Arrival(LoopbackHosts.hostName(host), crawler == null ? "" : crawler, System.nanoTime()));
        int busy = inProgress[host].incrementAndGet();
        maxInProgress[host].accumulateAndGet(busy, Math::max);
        Matcher page = PAGE.matcher(exchange.getRequestURI().getPath());
        int number = page.matches() ? pageOnHost(host, page.group(1)) : -1;
        if (number >= 0) {
            fetches.incrementAndGet(number);
        } else {
            missingFetches.incrementAndGet();
        }
        return true;
    }

    /** The page number if the path names a page of this host; -1 otherwise. */
    private int pageOnHost(int host, String digits) {
        if (digits.length() > 9) {
            return -1;
        }
        int number = Integer.parseInt(digits);
        return number < graph.pages() && graph.hostOf(number) == host ? number : -1;
    }

    private void answer(int host, HttpExchange exchange) throws IOException {
        Matcher page = PAGE.matcher(exchange.getRequestURI().getPath());
        int number = page.matches() ? pageOnHost(host, page.group(1)) : -1;
        if (number < 0) {
            send(exchange, 404, "text/html; charset=utf-8", "not found");
            return;
        }
        send(exchange, 200, "text/html; charset=utf-8", html(number));
    }

    /** The page: its items, then its links, written as relative, root-relative or absolute URLs. */
    private String html(int page) {
        StringBuilder html = new StringBuilder("<html><head><title>Page ").append(page)
                .append("</title></head><body><h1>Page ").append(page).append(" on ")
                .append(LoopbackHosts.hostName(graph.hostOf(page))).append("</h1>");
        for (int i = 1; i <= shape.itemsPerPage(); i++) {
            html.append("<div class=\"entry\"><span class=\"item\">").append(itemText(page, i))
                    .append("</span></div>");
        }
        html.append("<ul>");
        int[] links = graph.links[page];
        for (int k = 0; k < links.length; k++) {
            html.append("<li><a href=\"").append(href(page, links[k], k)).append("\">link ").append(k)
                    .append("</a></li>");
        }
        return html.append("</ul></body></html>").toString();
    }

    private String href(int from, int target, int position) {
        if (target == LinkGraph.MISSING) {
            return "/page/" + (graph.pages() + from) + ".html";
        }
        if (target == LinkGraph.UNSERVED) {
            return "http://" + unservedHost() + ":" + hosts.port() + pagePath(from);
        }
        if (graph.hostOf(target) != graph.hostOf(from)) {
            return pageUrl(target);
        }
        // The form varies with the link's position, so a page's duplicated link is often written two ways: a
        // crawler must compare resolved URLs, not hrefs.
        return switch ((from + position) % 3) {
            case 0 -> target + ".html";
            case 1 -> pagePath(target);
            default -> pageUrl(target);
        };
    }

    private int pageNumber(String url) {
        Matcher page = Pattern.compile("http://127\\.0\\.0\\.(\\d+):" + hosts.port() + "/page/(\\d+)\\.html")
                .matcher(url);
        if (!page.matches()) {
            throw new IllegalArgumentException("not a page of this site: " + url);
        }
        int number = pageOnHost(Integer.parseInt(page.group(1)) - 1, page.group(2));
        if (number < 0) {
            throw new IllegalArgumentException("not a page of this site: " + url);
        }
        return number;
    }

    private static String pagePath(int page) {
        return "/page/" + page + ".html";
    }

    private static String itemText(int page, int item) {
        return "Item " + item + " of page " + page;
    }

    private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        hosts.close();
    }

    /**
     * Serves a site until the process is stopped, for crawlers in other languages. Arguments, all optional:
     * {@code --hosts 4 --pages 20000 --seed N --latency-ms 0 --stray-link-share 0 --dir DIR}.
     *
     * <p>Writes into DIR, once it serves: {@code seeds.txt} (one URL a line), {@code expected-items.txt} (the
     * {@link #expectedItemKeys()}, one a line) and last {@code site.json} (port, stats URL, hosts, pages), so that a
     * reader who sees {@code site.json} finds the others complete. On SIGTERM it writes {@code stats.json}, the
     * {@link #statsJson()} also served at {@link #STATS_PATH} on 127.0.0.1.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        Set<String> known = Set.of("hosts", "pages", "seed", "latency-ms", "stray-link-share", "dir");
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || !known.contains(args[i].substring(2)) || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --option value with an option of " + known + ", got "
                        + String.join(" ", Arrays.asList(args).subList(i, args.length)));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        Shape defaults = Shape.of(4, 20_000);
        Shape shape = new Shape(Integer.parseInt(options.getOrDefault("hosts", "4")),
                Integer.parseInt(options.getOrDefault("pages", "20000")),
                Long.parseLong(options.getOrDefault("seed", Long.toString(Shape.DEFAULT_SEED))),
                defaults.minLinks(), defaults.maxLinks(), defaults.itemsPerPage(),
                Double.parseDouble(options.getOrDefault("stray-link-share", "0")));
        Duration latency = Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "0")));
        Path dir = Path.of(options.getOrDefault("dir", "."));
        Files.createDirectories(dir);
        LoopbackLinkGraphSite site = new LoopbackLinkGraphSite(shape, latency);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                writeAtomically(dir.resolve("stats.json"), site.statsJson() + "\n");
            } catch (IOException e) {
                System.err.println("could not write stats.json: " + e);
            } finally {
                site.close();
            }
        }));
        writeAtomically(dir.resolve("seeds.txt"), String.join("\n", site.seedUrls()) + "\n");
        writeAtomically(dir.resolve("expected-items.txt"), String.join("\n", site.expectedItemKeys()) + "\n");
        StringBuilder hosts = new StringBuilder();
        for (int h = 0; h < shape.hosts(); h++) {
            hosts.append(h == 0 ? "" : ", ").append('"').append(LoopbackHosts.hostName(h)).append('"');
        }
        writeAtomically(dir.resolve("site.json"), "{\"port\": " + site.port() + ", \"statsUrl\": \""
                + site.statsUrl() + "\", \"hosts\": [" + hosts + "], \"pages\": " + shape.pages()
                + ", \"seed\": " + shape.seed() + ", \"latencyMillis\": " + latency.toMillis() + "}\n");
        System.out.println("serving " + shape.pages() + " pages on " + shape.hosts() + " hosts at port " + site.port());
        // Serves until SIGTERM, whose hook writes the stats.
        Thread.currentThread().join();
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
