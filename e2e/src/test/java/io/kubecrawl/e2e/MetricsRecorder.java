package io.kubecrawl.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Scrapes the operator's Prometheus endpoint every second while a crawl runs, as Prometheus would, and keeps the
 * Kubecrawl series of each scrape: in memory for the test's assertions, and as JSON lines ({@code {"t": epoch seconds,
 * "text": ...}}) for {@code docs/dashboard/render.py}, which draws the chart's dashboard from them. A scrape that
 * fails (the operator's pod is being replaced) is skipped, as Prometheus skips it.
 */
final class MetricsRecorder implements AutoCloseable {

    record Scrape(double epochSeconds, String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Supplier<URI> operator;
    private final Path file;
    private final List<Scrape> scrapes = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "metrics-recorder");
        thread.setDaemon(true);
        return thread;
    });

    /** @param operator the operator's HTTP base, asked again at each scrape (its pod may be replaced) */
    MetricsRecorder(Supplier<URI> operator, Path file) throws IOException {
        this.operator = operator;
        this.file = file;
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        scheduler.scheduleWithFixedDelay(this::scrape, 0, 1, TimeUnit.SECONDS);
    }

    List<Scrape> scrapes() {
        return List.copyOf(scrapes);
    }

    Path file() {
        return file;
    }

    private void scrape() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(operator.get().resolve("q/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return;
            }
            String kept = response.body().lines().filter(line -> line.startsWith("kubecrawl_"))
                    .collect(Collectors.joining("\n"));
            Scrape scrape = new Scrape(System.currentTimeMillis() / 1000.0, kept);
            scrapes.add(scrape);
            Files.writeString(file, JSON.writeValueAsString(java.util.Map.of("t", scrape.epochSeconds(),
                    "text", kept)) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException unreachable) {
            // The operator is restarting or its port forward is being replaced: this scrape is missed.
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while stopping the recorder", e));
        }
    }
}
