package io.kubecrawl.worker.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A web site on loopback whose pages link to each other, and the Scrapy project that crawls it ({@link #writeProject}):
 *
 * <pre>
 * /a  --follow (priority 3)--> /b  --follow--> /c  --follow--> /b (back)
 *     --local---------------> /local   --broken--> (a closed port) ==errback==> /recovered
 *     --lambda--------------> /lambda
 * </pre>
 *
 * The spider {@code links} makes an item of every page (its path, the callback that got it, its cb_kwargs and its
 * depth), follows "follow" links with the callback {@code parse_linked} and cb_kwargs {@code hop} and {@code origin},
 * "local" links with {@code meta["kubecrawl_local"] = True}, "lambda" links with a lambda as callback, which no
 * frontier can carry, and "broken" links with the errback {@code recover}, which yields the request of the page the
 * link's {@code data-recover} names (passed along in {@code meta}). It records the paths requested.
 */
final class LinksSite implements AutoCloseable {
    private static final Map<String, String> LINKS = Map.of(
            "/a", "<a class=\"follow\" data-priority=\"3\" href=\"/b\">b</a>"
                    + "<a class=\"local\" href=\"/local\">local</a><a class=\"lambda\" href=\"/lambda\">lambda</a>",
            "/b", "<a class=\"follow\" href=\"/c\">c</a>"
                    + "<a class=\"broken\" href=\"%s/gone\" data-recover=\"%s/recovered\">gone</a>",
            "/c", "<a class=\"follow\" href=\"/b\">back to b</a>",
            "/local", "",
            "/recovered", "",
            "/lambda", "");

    static final String SPIDER = """
            from urllib.parse import urlparse

            import scrapy


            class LinksSpider(scrapy.Spider):
                name = "links"

                def parse(self, response):
                    yield from self.page(response, "parse", {})

                def parse_linked(self, response, hop, origin):
                    yield from self.page(response, "parse_linked", {"hop": hop, "origin": origin})

                def parse_local(self, response):
                    yield from self.page(response, "parse_local", {})

                def page(self, response, callback, cb_kwargs):
                    path = urlparse(response.url).path
                    yield {"path": path, "callback": callback, "cb_kwargs": cb_kwargs,
                           "depth": response.meta.get("depth")}
                    for link in response.css("a.follow"):
                        yield response.follow(link, callback=self.parse_linked,
                                              cb_kwargs={"hop": cb_kwargs.get("hop", 0) + 1, "origin": path},
                                              priority=int(link.attrib.get("data-priority", "0")))
                    for link in response.css("a.local"):
                        yield response.follow(link, callback=self.parse_local, meta={"kubecrawl_local": True})
                    for link in response.css("a.lambda"):
                        yield response.follow(link, callback=lambda page: self.parse_local(page))
                    for link in response.css("a.broken"):
                        yield response.follow(link, callback=self.parse_linked, errback=self.recover,
                                              cb_kwargs={"hop": cb_kwargs.get("hop", 0) + 1, "origin": path},
                                              meta={"recover": link.attrib["data-recover"]})

                def recover(self, failure):
                    yield scrapy.Request(failure.request.meta["recover"], callback=self.parse_linked,
                                         cb_kwargs={"hop": 0, "origin": "errback"})
            """;

    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> requested = new ConcurrentLinkedQueue<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    /** Where the broken link points: a loopback port nothing listens on, so that the connection is refused. */
    private final String closed = "http://127.0.0.1:" + FakeFrontier.freePort();

    private LinksSite() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::page);
        server.setExecutor(handlers);
        server.start();
    }

    static LinksSite start() throws IOException {
        return new LinksSite();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The URL of the broken link on {@code /b}. */
    String gone() {
        return closed + "/gone";
    }

    List<String> requested() {
        return List.copyOf(requested);
    }

    /** Writes the Scrapy project of the spider {@code links} into {@code directory}. */
    static Path writeProject(Path directory) throws IOException {
        Files.createDirectories(directory.resolve("links/spiders"));
        Files.writeString(directory.resolve("scrapy.cfg"), "[settings]\ndefault = links.settings\n");
        Files.writeString(directory.resolve("links/__init__.py"), "");
        Files.writeString(directory.resolve("links/settings.py"), """
                BOT_NAME = "links"
                SPIDER_MODULES = ["links.spiders"]
                ROBOTSTXT_OBEY = False
                TELNETCONSOLE_ENABLED = False
                REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
                LOG_LEVEL = "INFO"
                """);
        Files.writeString(directory.resolve("links/spiders/__init__.py"), "");
        Files.writeString(directory.resolve("links/spiders/links.py"), SPIDER);
        return directory;
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requested.add(path);
        String links = LINKS.get(path);
        if (links != null) {
            links = links.formatted(closed, base());
        }
        byte[] body = (links == null ? "not found"
                : "<!DOCTYPE html><html><body><h1>" + path + "</h1>" + links + "</body></html>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(links == null ? 404 : 200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
