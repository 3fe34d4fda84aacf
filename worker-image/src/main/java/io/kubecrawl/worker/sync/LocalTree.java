package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * What the target directory holds, found by walking it without following symbolic links (the state directory is
 * left out). A regular file gets its sha256 only when the manifest lists it with the same size, since only then can
 * it be kept; the sha256 comes from the {@link HashCache} when the file is unchanged since it was recorded, and from
 * reading the file otherwise.
 */
final class LocalTree {
    private final Map<String, LocalEntry> entries;
    private final int filesHashed;

    private LocalTree(Map<String, LocalEntry> entries, int filesHashed) {
        this.entries = entries;
        this.filesHashed = filesHashed;
    }

    Map<String, LocalEntry> entries() {
        return entries;
    }

    /** How many files had to be read because the cache did not know them. */
    int filesHashed() {
        return filesHashed;
    }

    /** What a walk of the target found: every entry (regular files with the attributes they had), nothing hashed. */
    static final class Walk {
        private final Path root;
        private final Map<String, LocalEntry> entries;
        private final Map<String, BasicFileAttributes> fileAttributes;

        private Walk(Path root, Map<String, LocalEntry> entries, Map<String, BasicFileAttributes> fileAttributes) {
            this.root = root;
            this.entries = entries;
            this.fileAttributes = fileAttributes;
        }

        Path root() {
            return root;
        }
    }

    /** Walks the tree under {@code root} (a real path) without following links, leaving out the state directory. */
    static Walk walk(Path root) throws IOException {
        Map<String, LocalEntry> entries = new HashMap<>();
        Map<String, BasicFileAttributes> fileAttributes = new HashMap<>();
        // The relative path of the directory being visited, built as the walk goes down: cheaper than relativize.
        ArrayDeque<String> prefixes = new ArrayDeque<>();
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new FileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                if (prefixes.isEmpty()) {
                    prefixes.push("");
                    return FileVisitResult.CONTINUE;
                }
                String path = relative(directory);
                if (path.equals(TargetDirectory.STATE_DIRECTORY)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                entries.put(path, LocalEntry.directory(path));
                prefixes.push(path + "/");
                return FileVisitResult.CONTINUE;
            }

            private String relative(Path entry) {
                return prefixes.peek() + entry.getFileName().toString();
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String path = relative(file);
                if (attributes.isSymbolicLink()) {
                    entries.put(path, LocalEntry.symlink(path));
                } else if (attributes.isRegularFile()) {
                    entries.put(path, LocalEntry.file(path, attributes.size(), mode(file, attributes), null));
                    fileAttributes.put(path, attributes);
                } else {
                    entries.put(path, new LocalEntry(path, LocalEntry.Kind.OTHER, 0, 0, null));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
                throw failure;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                prefixes.pop();
                return FileVisitResult.CONTINUE;
            }
        });
        return new Walk(root, entries, fileAttributes);
    }

    /**
     * The entries of a walk, with the sha256 of each regular file the manifest lists with the same size: from the
     * cache when the file is unchanged since it was recorded, else read (and then recorded).
     */
    static LocalTree of(Walk walk, BundleManifest manifest, HashCache cache) throws IOException {
        Map<String, LocalEntry> entries = new HashMap<>(walk.entries);
        int hashed = 0;
        for (BundleFile listed : manifest.files()) {
            String path = listed.path();
            LocalEntry entry = entries.get(path);
            if (entry == null || entry.kind() != LocalEntry.Kind.FILE || entry.size() != listed.size()) {
                continue;
            }
            BasicFileAttributes attributes = walk.fileAttributes.get(path);
            String sha256 = cache.lookup(path, attributes).orElse(null);
            if (sha256 != null) {
                cache.modeChanged(path, entry.mode()); // a chmod leaves the time as it was
            } else {
                Path file = walk.root.resolve(path);
                sha256 = hash(file);
                hashed++;
                // Read the attributes again: the cache must record what the file was when it was hashed.
                BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (after.lastModifiedTime().equals(attributes.lastModifiedTime()) && after.size() == attributes.size()) {
                    cache.put(path, after, entry.mode(), sha256);
                }
            }
            entries.put(path, LocalEntry.file(path, entry.size(), entry.mode(), sha256));
        }
        return new LocalTree(entries, hashed);
    }

    /**
     * Whether the walk finds exactly the files the cache records, each with the size, time, file key and permission
     * bits it had then, no other entry (a link, a device), and no directory that holds none of them (a sync deletes
     * such directories). After a complete sync the cache records exactly the bundle's files, so a target that passes
     * is still the bundle, by the same quick check that lets the cache vouch for a file's content.
     */
    static boolean unchangedSince(Walk walk, HashCache cache) {
        if (walk.fileAttributes.size() != cache.size()) {
            return false;
        }
        Set<String> directoriesOfFiles = new HashSet<>();
        for (LocalEntry entry : walk.entries.values()) {
            if (entry.kind() == LocalEntry.Kind.FILE) {
                if (!cache.records(entry.path(), walk.fileAttributes.get(entry.path()), entry.mode())) {
                    return false;
                }
                Path parent = Path.of(entry.path()).getParent();
                while (parent != null && directoriesOfFiles.add(parent.toString())) {
                    parent = parent.getParent();
                }
            } else if (entry.kind() != LocalEntry.Kind.DIRECTORY) {
                return false;
            }
        }
        for (LocalEntry entry : walk.entries.values()) {
            if (entry.kind() == LocalEntry.Kind.DIRECTORY && !directoriesOfFiles.contains(entry.path())) {
                return false;
            }
        }
        return true;
    }

    static int mode(Path file, BasicFileAttributes attributes) throws IOException {
        Set<PosixFilePermission> permissions = attributes instanceof PosixFileAttributes posix ? posix.permissions()
                : Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        return Modes.toBits(permissions);
    }

    /** sha256 of a regular file, read without following a link. */
    static String hash(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            hashPrefix(channel, channel.size(), digest);
        }
        return Sha256.hex(digest);
    }

    /** Feeds the first {@code length} bytes of {@code channel} to {@code digest}. */
    static void hashPrefix(FileChannel channel, long length, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[(int) Math.min(1 << 20, Math.max(length, 1))];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        long position = 0;
        while (position < length) {
            wrapped.clear().limit((int) Math.min(buffer.length, length - position));
            int read = channel.read(wrapped, position);
            if (read < 0) {
                throw new IOException("the file ended after " + position + " bytes, expected " + length);
            }
            Hashing.update(digest, buffer, 0, read);
            position += read;
        }
    }
}
