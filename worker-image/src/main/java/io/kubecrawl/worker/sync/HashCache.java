package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The sha256 of the files a sync left in the target, keyed by bundle path, with the size, modification time (ns) and
 * file key (device and inode) they had then, kept as JSON in the state directory. A file whose size, time and key are
 * unchanged is taken to hold the same content without being read again, the way git's index and rsync's quick check
 * work.
 *
 * <p>An entry whose modification time is not older than the cache file itself is "racy": the file may have been
 * changed again within the file system's timestamp granularity after it was recorded. Such entries are not trusted.
 */
final class HashCache {
    static final String FILE_NAME = "hash-cache.json";
    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One file as it was when its sha256 was known. */
    record Entry(long size, long mtimeNanos, String fileKey, String sha256) {
        static Entry of(BasicFileAttributes attributes, String sha256) {
            return new Entry(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    String.valueOf(attributes.fileKey()), sha256);
        }

        boolean matches(BasicFileAttributes attributes) {
            return size == attributes.size() && mtimeNanos == attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)
                    && fileKey.equals(String.valueOf(attributes.fileKey()));
        }
    }

    /** The file's content: a version, so that a later agent can change the format, and the entries. */
    record Document(int version, Map<String, Entry> files) {
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
            Document document = JSON.readValue(file.toFile(), Document.class);
            if (document.version() != VERSION || document.files() == null) {
                return new HashCache(file, entries, true);
            }
            for (Map.Entry<String, Entry> entry : document.files().entrySet()) {
                Entry value = entry.getValue();
                if (value == null || value.fileKey() == null || value.sha256() == null) {
                    dropped = true;
                } else if (value.mtimeNanos() >= writtenAt) {
                    dropped = true; // racy: see the class comment
                } else {
                    entries.put(entry.getKey(), value);
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

    void put(String path, BasicFileAttributes attributes, String sha256) {
        Entry entry = Entry.of(attributes, sha256);
        if (!entry.equals(entries.put(path, entry))) {
            changed = true;
        }
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
        byte[] json = JSON.writeValueAsBytes(new Document(VERSION, new TreeMap<>(entries)));
        DurableFiles.writeAtomically(file, json);
        changed = false;
    }
}
