package io.kubecrawl.worker.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Pages served on two loopback hosts (127.0.0.1 and 127.0.0.2, one port), each answered at once, that record when
 * each request arrived, by host: what a spider's politeness looks like from the site's side.
 */
final class ArrivalsSite implements AutoCloseable {
    static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2");

    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final Map<String, ConcurrentLinkedQueue<Long>> arrivalNanos = new ConcurrentHashMap<>();
    private final int port;

    ArrivalsSite() throws IOException {
        int chosen = 0;
        for (String host : HOSTS) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), chosen), 64);
            chosen = server.getAddress().getPort();
            server.createContext("/", exchange -> page(host, exchange));
            server.setExecutor(handlers);
            server.start();
            servers.add(server);
            arrivalNanos.put(host, new ConcurrentLinkedQueue<>());
        }
        port = chosen;
    }

    /** {@code pages} URLs of each host, host by host. */
    List<String> urls(int pages) {
        List<String> urls = new ArrayList<>();
        for (String host : HOSTS) {
            for (int p = 0; p < pages; p++) {
                urls.add("http://" + host + ":" + port + "/page/" + p);
            }
        }
        return urls;
    }

    /** The time between consecutive arrivals, in milliseconds, by host. */
    Map<String, List<Long>> gapsMillis() {
        Map<String, List<Long>> gaps = new TreeMap<>();
        arrivalNanos.forEach((host, arrivals) -> {
            List<Long> sorted = arrivals.stream().sorted().toList();
            List<Long> hostGaps = new ArrayList<>();
            for (int i = 1; i < sorted.size(); i++) {
                hostGaps.add((sorted.get(i) - sorted.get(i - 1)) / 1_000_000);
            }
            gaps.put(host, hostGaps);
        });
        return gaps;
    }

    int arrivals() {
        return arrivalNanos.values().stream().mapToInt(ConcurrentLinkedQueue::size).sum();
    }

    private void page(String host, HttpExchange exchange) throws IOException {
        arrivalNanos.get(host).add(System.nanoTime());
        byte[] body = ("<html><body><h1>" + exchange.getRequestURI().getPath() + "</h1></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        servers.forEach(server -> server.stop(0));
        handlers.shutdownNow();
    }
}
