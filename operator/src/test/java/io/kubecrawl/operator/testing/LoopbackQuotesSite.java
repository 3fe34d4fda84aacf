package io.kubecrawl.operator.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * A site in the quotes.toscrape layout served on loopback under several host addresses (127.0.0.1, 127.0.0.2, ...),
 * so that host partitioning sees several hosts. Pages carry no "next" link: each seed is one page, and the expected
 * items are known exactly.
 */
public final class LoopbackQuotesSite implements AutoCloseable {

    private static final Pattern PAGE = Pattern.compile("/page/(\\d+)/");

    private final LoopbackHosts hosts;
    private final int hostCount;
    private final int pagesPerHost;
    private final int quotesPerPage;

    public LoopbackQuotesSite(int hosts, int pagesPerHost, int quotesPerPage) throws IOException {
        this(hosts, pagesPerHost, quotesPerPage, Duration.ZERO);
    }

    /**
     * @param latency how long every answer is held back, as a remote site's network and server time would: the
     *     crawl then waits on the site rather than on the CPU, as real crawls mostly do
     */
    public LoopbackQuotesSite(int hosts, int pagesPerHost, int quotesPerPage, Duration latency) throws IOException {
        this.hostCount = hosts;
        this.pagesPerHost = pagesPerHost;
        this.quotesPerPage = quotesPerPage;
        this.hosts = new LoopbackHosts(hosts, 64, latency, (host, exchange) -> answer(exchange));
    }

    public List<String> pageUrls() {
        List<String> urls = new ArrayList<>();
        for (int h = 1; h <= hostCount; h++) {
            for (int p = 1; p <= pagesPerHost; p++) {
                urls.add(pageUrl(h, p));
            }
        }
        return urls;
    }

    /** Every quote text the site holds, by page URL: what the items must be, each exactly once. */
    public List<String> expectedItemKeys() {
        List<String> keys = new ArrayList<>();
        for (int h = 1; h <= hostCount; h++) {
            for (int p = 1; p <= pagesPerHost; p++) {
                for (int q = 1; q <= quotesPerPage; q++) {
                    keys.add(pageUrl(h, p) + " " + quoteText("127.0.0." + h, p, q));
                }
            }
        }
        return keys;
    }

    private String pageUrl(int host, int page) {
        return "http://127.0.0." + host + ":" + hosts.port() + "/page/" + page + "/";
    }

    private static String quoteText(String host, int page, int quote) {
        return "Quote " + quote + " of page " + page + " on " + host;
    }

    /**
     * Holds every answer from now on until {@link #release()}: a crawl stops where it is, with its requests in flight,
     * so that a test can act on a job that is certainly still running, however fast the machine.
     */
    public void hold() {
        hosts.hold();
    }

    /** Answers the requests held since {@link #hold()}, and every later one as usual. */
    public void release() {
        hosts.release();
    }

    private void answer(HttpExchange exchange) throws IOException {
        Matcher page = PAGE.matcher(exchange.getRequestURI().getPath());
        byte[] body;
        int status;
        if (page.matches() && Integer.parseInt(page.group(1)) <= pagesPerHost) {
            String host = exchange.getLocalAddress().getAddress().getHostAddress();
            StringBuilder html = new StringBuilder("<html><body>");
            for (int q = 1; q <= quotesPerPage; q++) {
                html.append("<div class=\"quote\"><span class=\"text\">\u201c")
                        .append(quoteText(host, Integer.parseInt(page.group(1)), q))
                        .append("\u201d</span><small class=\"author\">Author ").append(q)
                        .append("</small><a class=\"tag\" href=\"/tag/t").append(q % 3).append("/\">t")
                        .append(q % 3).append("</a></div>");
            }
            body = html.append("</body></html>").toString().getBytes(StandardCharsets.UTF_8);
            status = 200;
        } else {
            body = "not found".getBytes(StandardCharsets.UTF_8);
            status = 404;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        hosts.close();
    }
}
