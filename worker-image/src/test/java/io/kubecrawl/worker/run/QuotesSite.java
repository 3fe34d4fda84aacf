package io.kubecrawl.worker.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny web site on loopback laid out like quotes.toscrape.com, for the example quotes spider: {@code /} (two quotes
 * and a {@code li.next} link to {@code /page/2/}), {@code /page/2/} (one quote, the last page) and {@code /tag/love/}
 * (one quote). It records the paths requested and the headers that tell who asked. {@code /hold/} answers only once
 * {@link #release()} is called, for a crawl that must be caught mid-batch.
 */
final class QuotesSite implements AutoCloseable {
    static final Path EXAMPLE_PROJECT = Path.of("../examples/quotes/project");
    static final Path SCRAPY = Path.of("/usr/bin/scrapy");
    static final String SCRAPY_MISSING = "skipped: " + SCRAPY + " is missing (apt-get install python3-scrapy)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> requested = new ConcurrentLinkedQueue<>();
    private final Map<String, String> testHeaderByPath = new ConcurrentHashMap<>();
    private final Map<String, String> userAgentByPath = new ConcurrentHashMap<>();
    private final CountDownLatch held = new CountDownLatch(1);
    private final ExecutorService handlers = Executors.newCachedThreadPool();

    private QuotesSite() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::page);
        // A held request must not hold up the others.
        server.setExecutor(handlers);
        server.start();
    }

    static QuotesSite start() throws IOException {
        return new QuotesSite();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requested() {
        return List.copyOf(requested);
    }

    /** The value of the request header X-Kubecrawl-Test, by path, for the requests that had it. */
    Map<String, String> testHeaderByPath() {
        return Map.copyOf(testHeaderByPath);
    }

    Map<String, String> userAgentByPath() {
        return Map.copyOf(userAgentByPath);
    }

    /** The items the example spider collects from every page the site links to (not {@code /hold/}), in no order. */
    List<JsonNode> allItems() {
        return List.of(
                quote("Page one, first.", "Ada", List.of("one", "first"), "/"),
                quote("Page one, second.", "Brian", List.of(), "/"),
                quote("Page two, only.", "Chloe", List.of("two"), "/page/2/"),
                quote("Love, tagged.", "Dana", List.of("love"), "/tag/love/"));
    }

    /** The items the example spider collects from these pages (paths such as {@code /page/2/}, or {@code /hold/}). */
    List<JsonNode> itemsOf(String... paths) {
        List<String> urls = Stream.of(paths).map(path -> base() + path).toList();
        return Stream.concat(allItems().stream(), Stream.of(quote("Held, then released.", "Eve", List.of(), "/hold/")))
                .filter(item -> urls.contains(item.get("url").asText())).toList();
    }

    /** The JSON-lines items of a file, parsed. */
    static List<JsonNode> items(String jsonLines) throws IOException {
        List<JsonNode> items = new ArrayList<>();
        for (String line : jsonLines.lines().filter(line -> !line.isBlank()).toList()) {
            items.add(JSON.readTree(line));
        }
        return items;
    }

    /** Copies the example Scrapy project, unmodified, into {@code target}. */
    static Path copyExampleProject(Path target) throws IOException {
        try (Stream<Path> walk = Files.walk(EXAMPLE_PROJECT)) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                Path relative = EXAMPLE_PROJECT.relativize(file);
                if (relative.toString().contains("__pycache__")) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        return target;
    }

    /** Lets every request of {@code /hold/} be answered (with one quote), now and later. */
    void release() {
        held.countDown();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        handlers.shutdownNow();
    }

    private JsonNode quote(String text, String author, List<String> tags, String path) {
        Map<String, Object> quote = new LinkedHashMap<>();
        quote.put("text", text);
        quote.put("author", author);
        quote.put("tags", tags);
        quote.put("url", base() + path);
        return JSON.valueToTree(quote);
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requested.add(path);
        String testHeader = exchange.getRequestHeaders().getFirst("X-Kubecrawl-Test");
        if (testHeader != null) {
            testHeaderByPath.put(path, testHeader);
        }
        String userAgent = exchange.getRequestHeaders().getFirst("User-Agent");
        if (userAgent != null) {
            userAgentByPath.put(path, userAgent);
        }
        if (path.equals("/hold/")) {
            awaitRelease();
        }
        String body = switch (path) {
            case "/" -> html(quoteHtml("Page one, first.", "Ada", "one", "first")
                    + quoteHtml("Page one, second.", "Brian")
                    + "<nav><ul class=\"pager\"><li class=\"next\"><a href=\"/page/2/\">Next</a></li></ul></nav>");
            case "/page/2/" -> html(quoteHtml("Page two, only.", "Chloe", "two"));
            case "/tag/love/" -> html(quoteHtml("Love, tagged.", "Dana", "love"));
            case "/hold/" -> html(quoteHtml("Held, then released.", "Eve"));
            default -> null;
        };
        byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void awaitRelease() {
        try {
            held.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String html(String content) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Quotes</title></head><body>"
                + "<div class=\"container\">" + content + "</div></body></html>";
    }

    /** One quote as the site lays it out: curly quotation marks around the text, as the spider expects. */
    private static String quoteHtml(String text, String author, String... tags) {
        StringBuilder html = new StringBuilder("<div class=\"quote\"><span class=\"text\">\u201c" + text
                + "\u201d</span><span>by <small class=\"author\">" + author + "</small></span><div class=\"tags\">");
        for (String tag : tags) {
            html.append("<a class=\"tag\" href=\"/tag/").append(tag).append("/\">").append(tag).append("</a>");
        }
        return html.append("</div></div>").toString();
    }
}
