package io.kubecrawl.worker.sync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The sha256 of the files a sync left in the target, keyed by bundle path, with the size, modification time (ns),
 * file key (device and inode) and permission bits they had then, kept as JSON in the state directory. A file whose
 * size, time and key are unchanged is taken to hold the same content without being read again, the way git's index
 * and rsync's quick check work. After a complete sync the cache records exactly the bundle's files, so a target whose
 * files all still match it, modes included, is the bundle ({@link LocalTree#unchangedSince}).
 *
 * <p>An entry whose modification time is not older than the cache file itself is "racy": the file may have been
 * changed again within the file system's timestamp granularity after it was recorded. Such entries are not trusted.
 */
final class HashCache {
    static final String FILE_NAME = "hash-cache.json";
    private static final int VERSION = 2;
    /** Jackson's streaming parser and generator: no reflection, so a short-lived process reads 10,000 entries fast. */
    private static final JsonFactory JSON = new JsonFactory();

    /** One file as it was when its sha256 was known; {@code mode} holds its permission bits. */
    record Entry(long size, long mtimeNanos, String fileKey, int mode, String sha256) {
        static Entry of(BasicFileAttributes attributes, int mode, String sha256) {
            return new Entry(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    String.valueOf(attributes.fileKey()), mode & Modes.PERMISSION_BITS, sha256);
        }

        boolean matches(BasicFileAttributes attributes) {
            return size == attributes.size() && mtimeNanos == attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)
                    && fileKey.equals(String.valueOf(attributes.fileKey()));
        }
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private volatile boolean changed;

    private HashCache(Path file, Map<String, Entry> entries, boolean changed) {
        this.file = file;
        this.entries = entries;
        this.changed = changed;
    }

    /** The cache in {@code stateDirectory}; empty when there is none or it cannot be read (it is only a cache). */
    static HashCache load(Path stateDirectory) {
        Path file = stateDirectory.resolve(FILE_NAME);
        Map<String, Entry> entries = new ConcurrentHashMap<>();
        boolean dropped = false;
        try {
            BasicFileAttributes cacheAttributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!cacheAttributes.isRegularFile()) {
                return new HashCache(file, entries, true);
            }
            long writtenAt = cacheAttributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
            Map<String, Entry> read = read(file);
            if (read == null) {
                return new HashCache(file, entries, true);
            }
            for (Map.Entry<String, Entry> entry : read.entrySet()) {
                if (entry.getValue().mtimeNanos() >= writtenAt) {
                    dropped = true; // racy: see the class comment
                } else {
                    entries.put(entry.getKey(), entry.getValue());
                }
            }
        } catch (NoSuchFileException none) {
            return new HashCache(file, entries, false);
        } catch (IOException | RuntimeException unreadable) {
            return new HashCache(file, new ConcurrentHashMap<>(), true);
        }
        return new HashCache(file, entries, dropped);
    }

    /** The sha256 recorded for {@code path}, if the file still has the size, time and key it had then. */
    Optional<String> lookup(String path, BasicFileAttributes attributes) {
        Entry entry = entries.get(path);
        return entry != null && entry.matches(attributes) ? Optional.of(entry.sha256()) : Optional.empty();
    }

    /**
     * Whether {@code path} is recorded with these attributes and permission bits: the file is as a sync left it.
     */
    boolean records(String path, BasicFileAttributes attributes, int mode) {
        Entry entry = entries.get(path);
        return entry != null && entry.matches(attributes) && entry.mode() == mode;
    }

    /**
     * Records a file's sha256 with its attributes and mode, of which only the permission bits are kept: setuid, setgid
     * and sticky are never set by a sync, nor seen by a walk.
     */
    void put(String path, BasicFileAttributes attributes, int mode, String sha256) {
        Entry entry = Entry.of(attributes, mode, sha256);
        if (!entry.equals(entries.put(path, entry))) {
            changed = true;
        }
    }

    /** A recorded file got another mode; its content, size and time are unchanged. */
    void modeChanged(String path, int mode) {
        Entry entry = entries.get(path);
        int bits = mode & Modes.PERMISSION_BITS;
        if (entry != null && entry.mode() != bits) {
            entries.put(path, new Entry(entry.size(), entry.mtimeNanos(), entry.fileKey(), bits, entry.sha256()));
            changed = true;
        }
    }

    /** The bytes of the recorded files. */
    long totalBytes() {
        long total = 0;
        for (Entry entry : entries.values()) {
            total += entry.size();
        }
        return total;
    }

    /** Forgets every path not in {@code paths}. */
    void retainOnly(Set<String> paths) {
        if (entries.keySet().retainAll(paths)) {
            changed = true;
        }
    }

    int size() {
        return entries.size();
    }

    /** Writes the cache durably, if anything changed since it was loaded. */
    void save() throws IOException {
        if (!changed) {
            return;
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream(entries.size() * 160 + 64);
        try (JsonGenerator out = JSON.createGenerator(json)) {
            out.writeStartObject();
            out.writeNumberField("version", VERSION);
            out.writeObjectFieldStart("files");
            for (Map.Entry<String, Entry> entry : new TreeMap<>(entries).entrySet()) {
                Entry value = entry.getValue();
                out.writeObjectFieldStart(entry.getKey());
                out.writeNumberField("size", value.size());
                out.writeNumberField("mtimeNanos", value.mtimeNanos());
                out.writeStringField("fileKey", value.fileKey());
                out.writeNumberField("mode", value.mode());
                out.writeStringField("sha256", value.sha256());
                out.writeEndObject();
            }
            out.writeEndObject();
            out.writeEndObject();
        }
        DurableFiles.writeAtomically(file, json.toByteArray());
        changed = false;
    }

    /**
     * The entries of a cache file: {@code {"version": 2, "files": {"<path>": {"size": n, "mtimeNanos": n, "fileKey":
     * "...", "mode": n, "sha256": "..."}, ...}}}. Null when the file has another version (a version 1 cache, without
     * modes, is dropped: the next sync reads every file once) or lacks a field (unknown fields are skipped).
     */
    private static Map<String, Entry> read(Path file) throws IOException {
        Map<String, Entry> entries = new HashMap<>();
        int version = -1;
        try (JsonParser in = JSON.createParser(file.toFile())) {
            expect(in.nextToken(), JsonToken.START_OBJECT);
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                JsonToken value = in.nextToken();
                if (field.equals("version") && value == JsonToken.VALUE_NUMBER_INT) {
                    version = in.getIntValue();
                } else if (field.equals("files") && value == JsonToken.START_OBJECT) {
                    while (in.nextToken() == JsonToken.FIELD_NAME) {
                        String path = in.currentName();
                        expect(in.nextToken(), JsonToken.START_OBJECT);
                        Entry entry = readEntry(in);
                        if (entry == null) {
                            return null;
                        }
                        entries.put(path, entry);
                    }
                } else {
                    in.skipChildren();
                }
            }
        }
        return version == VERSION ? entries : null;
    }

    private static Entry readEntry(JsonParser in) throws IOException {
        Long size = null;
        Long mtimeNanos = null;
        String fileKey = null;
        Integer mode = null;
        String sha256 = null;
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String field = in.currentName();
            JsonToken value = in.nextToken();
            switch (field) {
                case "size" -> size = value == JsonToken.VALUE_NUMBER_INT ? in.getLongValue() : null;
                case "mtimeNanos" -> mtimeNanos = value == JsonToken.VALUE_NUMBER_INT ? in.getLongValue() : null;
                case "fileKey" -> fileKey = value == JsonToken.VALUE_STRING ? in.getText() : null;
                case "mode" -> mode = value == JsonToken.VALUE_NUMBER_INT ? in.getIntValue() : null;
                case "sha256" -> sha256 = value == JsonToken.VALUE_STRING ? in.getText() : null;
                default -> in.skipChildren();
            }
        }
        if (size == null || mtimeNanos == null || fileKey == null || mode == null || sha256 == null) {
            return null;
        }
        return new Entry(size, mtimeNanos, fileKey, mode, sha256);
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", found " + actual);
        }
    }
}
