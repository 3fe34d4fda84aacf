package io.kubecrawl.operator.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The serving side of the loopback test sites: several host addresses (127.0.0.1, 127.0.0.2, ...) on one port, so
 * that host partitioning sees several hosts; every answer held back by a latency, as a remote site's would be; and
 * {@link #hold()}/{@link #release()}, which stop a crawl where it is with its requests in flight.
 */
final class LoopbackHosts implements AutoCloseable {

    static {
        // The JDK's server writes an answer's headers and body apart; without TCP_NODELAY the body waits for the
        // client's delayed ACK, some 40 ms a request on a kept-alive connection, and "no latency" would be 40 ms of
        // it. The JDK reads the property once, as the JVM creates its first such server: every site is made here.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** What a site does with a request, by host index (0 for 127.0.0.1). */
    interface Pages {
        /**
         * A request has come: true to answer it after the latency (and after a hold), false when this method
         * answered it already.
         */
        default boolean arrived(int host, HttpExchange exchange) throws IOException {
            return true;
        }

        void answer(int host, HttpExchange exchange) throws IOException;

        /**
         * The request is about to be answered (its latency and hold are over). Called before the answer is written,
         * not after: once a client has its answer it may send its next request at once, on another handler thread,
         * and that request must not find this one still counted as in progress.
         */
        default void answered(int host) {
        }
    }

    private final Pages pages;
    private final Duration latency;
    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService handlers = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService delayedAnswers = Executors.newSingleThreadScheduledExecutor();
    private final int port;
    /** Requests that came while the site was held, answered on {@link #release()}; null while it is not held. */
    private List<HttpExchange> heldRequests;

    /**
     * @param backlog connections each host queues before it refuses one
     * @param latency how long every answer is held back
     */
    LoopbackHosts(int hosts, int backlog, Duration latency, Pages pages) throws IOException {
        this.pages = pages;
        this.latency = latency;
        int chosenPort = 0;
        for (int h = 0; h < hosts; h++) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(hostName(h)),
                    chosenPort), backlog);
            chosenPort = server.getAddress().getPort();
            int host = h;
            server.createContext("/", exchange -> serve(host, exchange));
            server.setExecutor(handlers);
            server.start();
            servers.add(server);
        }
        this.port = chosenPort;
    }

    static String hostName(int host) {
        return "127.0.0." + (host + 1);
    }

    int port() {
        return port;
    }

    synchronized void hold() {
        if (heldRequests == null) {
            heldRequests = new ArrayList<>();
        }
    }

    void release() {
        List<HttpExchange> held;
        synchronized (this) {
            held = heldRequests;
            heldRequests = null;
        }
        if (held != null) {
            held.forEach(this::answerLater);
        }
    }

    private void serve(int host, HttpExchange exchange) throws IOException {
        if (!pages.arrived(host, exchange)) {
            return;
        }
        synchronized (this) {
            if (heldRequests != null) {
                heldRequests.add(exchange);
                return;
            }
        }
        if (latency.isZero()) {
            answer(exchange);
            return;
        }
        answerLater(exchange);
    }

    /** Answers from the scheduler's thread after the latency: a waiting answer occupies no handler thread. */
    private void answerLater(HttpExchange exchange) {
        delayedAnswers.schedule(() -> {
            try {
                answer(exchange);
            } catch (IOException clientGone) {
                exchange.close();
            }
        }, latency.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void answer(HttpExchange exchange) throws IOException {
        int host = (exchange.getLocalAddress().getAddress().getAddress()[3] & 0xff) - 1;
        pages.answered(host);
        pages.answer(host, exchange);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (heldRequests != null) {
                heldRequests.forEach(HttpExchange::close);
                heldRequests = null;
            }
        }
        servers.forEach(server -> server.stop(0));
        handlers.shutdownNow();
        delayedAnswers.shutdownNow();
    }
}
