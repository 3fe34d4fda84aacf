package io.kubecrawl.operator.items;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.outputs.JobDirectories;
import io.kubecrawl.operator.outputs.JobOutputStore;
import io.kubecrawl.protocol.CrawlJobName;

/**
 * The items of every job, one JSON-lines file per batch:
 *
 * <pre>
 * items/&lt;namespace&gt;/&lt;job&gt;/batch-&lt;slot&gt;-&lt;number&gt;.jsonl   the items of one completed batch
 * items/tmp/                                       uploads in flight
 * </pre>
 *
 * <p>An upload streams into {@code tmp/}, is checked line by line and forced to disk; committing it renames it over
 * the batch's file. A batch processed twice therefore replaces its own file, and each batch's items appear exactly
 * once in the job's output, whichever attempt wrote them.
 */
public class ItemStore implements JobOutputStore {

    private static final Pattern BATCH_FILE = Pattern.compile("batch-(\\d+)-(\\d+)\\.jsonl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FINAL = "final.json";

    private final Path tmp;
    private final JobDirectories directories;
    private final Map<CrawlJobName, Map<BatchId, Long>> counts = new ConcurrentHashMap<>();

    public ItemStore(Path dataDir) {
        Path root = dataDir.resolve("items");
        this.tmp = root.resolve("tmp");
        this.directories = new JobDirectories(root);
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tmp, e);
        }
    }

    /** Starts an upload of one batch's items; nothing is visible until {@link ItemUpload#commit()}. */
    public ItemUpload begin(CrawlJobName job, BatchId batch) {
        try {
            return new ItemUpload(this, job, batch, Files.createFile(tmp.resolve(UUID.randomUUID() + ".part")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void commit(ItemUpload upload, long items) throws IOException {
        Path target = directories.of(upload.job()).resolve(fileName(upload.batch()));
        Files.createDirectories(target.getParent());
        try (FileChannel channel = FileChannel.open(upload.file(), StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(upload.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        countsOf(upload.job()).put(upload.batch(), items);
    }

    /**
     * Marks the job's output final: no batch will be added. Idempotent, so a restarted operator finishing a
     * Completing job may call it again.
     */
    public void finalizeOutput(CrawlJobName job) throws IOException {
        Path dir = directories.of(job);
        Files.createDirectories(dir);
        Path part = tmp.resolve(UUID.randomUUID() + ".final");
        Files.writeString(part, "{\"items\":" + count(job) + "}\n");
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(part, dir.resolve(FINAL), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Removes every item of the job: before a new job of a reused name stores anything, and when a deleted job's
     * outputs are collected.
     */
    @Override
    public void deleteAll(CrawlJobName job) throws IOException {
        counts.remove(job);
        directories.delete(job);
    }

    @Override
    public String kind() {
        return "items";
    }

    @Override
    public JobDirectories directories() {
        return directories;
    }

    public boolean isFinal(CrawlJobName job) {
        return Files.exists(directories.of(job).resolve(FINAL));
    }

    /** Items stored for the job, counted from its files once and then kept up to date. */
    public long count(CrawlJobName job) {
        return countsOf(job).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Writes every item of the job, batch after batch in slot and number order, as JSON lines. */
    public void writeTo(CrawlJobName job, OutputStream out) throws IOException {
        for (Path file : batchFiles(job)) {
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
            } catch (NoSuchFileException e) {
                // Removed with its job while being read: nothing to send.
            }
        }
        out.flush();
    }

    /** Counts the JSON objects of one line-separated stream, failing on anything that is not one object a line. */
    static long checkLines(Path file) throws IOException {
        long count = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try (JsonParser parser = JSON.createParser(line)) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new InvalidItemsException("line " + number + " is not a JSON object");
                    }
                    parser.skipChildren();
                    if (parser.nextToken() != null) {
                        throw new InvalidItemsException("line " + number + " holds more than one JSON value");
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new InvalidItemsException("line " + number + " is not valid JSON: " + e.getOriginalMessage());
                }
                count++;
            }
        }
        return count;
    }

    private Map<BatchId, Long> countsOf(CrawlJobName job) {
        return counts.computeIfAbsent(job, key -> {
            Map<BatchId, Long> found = new ConcurrentHashMap<>();
            try {
                for (Path file : batchFiles(key)) {
                    Matcher m = BATCH_FILE.matcher(file.getFileName().toString());
                    if (m.matches()) {
                        found.put(new BatchId(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
                                checkLines(file));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        });
    }

    private List<Path> batchFiles(CrawlJobName job) throws IOException {
        Path dir = directories.of(job);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> BATCH_FILE.matcher(f.getFileName().toString()).matches())
                    .sorted((a, b) -> batchOf(a).compareTo(batchOf(b)))
                    .toList();
        }
    }

    private static BatchId batchOf(Path file) {
        Matcher m = BATCH_FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file.toString());
        }
        return new BatchId(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static String fileName(BatchId batch) {
        return "batch-" + batch.slot() + "-" + batch.number() + ".jsonl";
    }
}
