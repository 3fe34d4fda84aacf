package io.kubecrawl.worker.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecrawl.protocol.v1.Batch;

/**
 * The scratch files of one batch attempt: the requests file the spider reads (one request per line, a URL or a JSON
 * object), the items file it writes (JSON lines), created empty next to it, and the name of the discovered requests
 * file it writes in Frontier mode (JSON lines, see {@link DiscoveredRequestsFile}), which the agent does not create:
 * the Scrapy helper writes it under {@link #TEMPORARY_SUFFIX} and renames it when the batch is over. They live in the
 * scratch directory, never in the workspace: the workspace mirrors the bundle, and a sync deletes what the bundle
 * lacks. Closing deletes them all.
 */
final class BatchFiles implements AutoCloseable {
    /** The suffix of the name the Scrapy helper writes the discovered requests file under until the batch is over. */
    static final String TEMPORARY_SUFFIX = ".part";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path requests;
    private final Path items;
    private final Path discovered;

    private BatchFiles(Path requests, Path items, Path discovered) {
        this.requests = requests;
        this.items = items;
        this.discovered = discovered;
    }

    /**
     * Writes the batch's requests and an empty items file into {@code scratch}, creating it if needed. The names
     * carry the worker, so that agents sharing a scratch directory (processes on one machine) never meet; a file left
     * by an agent that died is overwritten.
     */
    static BatchFiles create(Path scratch, String worker, Batch batch) throws IOException {
        Files.createDirectories(scratch);
        String base = safe(worker) + "-batch-" + batch.getRef().getSlot() + "-" + batch.getRef().getNumber() + "-"
                + batch.getAttempt();
        Path requests = scratch.resolve(base + ".requests");
        Path items = scratch.resolve(base + ".items.jsonl");
        Path discovered = scratch.resolve(base + ".discovered.jsonl");
        BatchFiles files = new BatchFiles(requests, items, discovered);
        try {
            // Left by an agent that died: this attempt's spider must not seem to have discovered what it found.
            deleteDiscovered(discovered);
            try (BufferedWriter out = Files.newBufferedWriter(requests, StandardCharsets.UTF_8)) {
                for (String request : batch.getRequestsList()) {
                    out.write(oneLine(request));
                    out.write('\n');
                }
            }
            Files.write(items, new byte[0]);
        } catch (IOException | RuntimeException failed) {
            files.close();
            throw failed;
        }
        return files;
    }

    Path requests() {
        return requests;
    }

    Path items() {
        return items;
    }

    /** Where the spider writes the batch's discovered requests, in Frontier mode; absent until it does. */
    Path discovered() {
        return discovered;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(requests);
            Files.deleteIfExists(items);
            deleteDiscovered(discovered);
        } catch (IOException ignored) {
            // A leftover file in the scratch directory harms nothing: the next attempt of this batch overwrites it.
        }
    }

    /**
     * Whether the spider began a discovered requests file under its temporary name and never put it in place: its
     * requests would be lost if the agent took that for "none discovered".
     */
    boolean discoveredUnfinished() {
        return !Files.exists(discovered) && Files.exists(temporary(discovered));
    }

    private static void deleteDiscovered(Path discovered) throws IOException {
        Files.deleteIfExists(discovered);
        Files.deleteIfExists(temporary(discovered));
    }

    private static Path temporary(Path discovered) {
        return discovered.resolveSibling(discovered.getFileName() + TEMPORARY_SUFFIX);
    }

    /**
     * The request exactly as received, unless it spans lines, which the one-request-per-line format cannot hold: a
     * JSON object is then written compactly (the same object), anything else with its line breaks as spaces.
     */
    static String oneLine(String request) {
        if (request.indexOf('\n') < 0 && request.indexOf('\r') < 0) {
            return request;
        }
        String stripped = request.strip();
        if (stripped.startsWith("{")) {
            try {
                JsonNode object = JSON.readTree(stripped);
                return JSON.writeValueAsString(object);
            } catch (JsonProcessingException notJson) {
                // Falls through: the spider reports it as it would any malformed line.
            }
        }
        return stripped.replaceAll("\\R", " ");
    }

    /** A pod name is already file-name safe; this keeps an odd worker name from reaching outside the directory. */
    static String safe(String worker) {
        return worker.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
