package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.kubecrawl.protocol.bundle.BundlePath;

/**
 * The directory a bundle is synced into, by its real path, and the hidden state directory inside it. Creates the
 * parent directories of bundle files with the path API and checks that none of them is a symbolic link, so nothing is
 * ever written through a link that leads elsewhere.
 */
final class TargetDirectory {
    /** The sync's own state: lock, hash cache, completion marker. Never deleted by a sync, never part of a bundle. */
    static final String STATE_DIRECTORY = ".kubecrawl";

    private final Path root;
    private final Set<Path> checkedDirectories = ConcurrentHashMap.newKeySet();

    private TargetDirectory(Path root) {
        this.root = root;
        checkedDirectories.add(root);
    }

    /**
     * Creates the target if need be (the target itself may be a link, as a mounted volume's path can be) and a real
     * state directory in it: whatever else stands at {@value #STATE_DIRECTORY} is removed first.
     */
    static TargetDirectory open(Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        if (!Files.isDirectory(root)) {
            throw new IOException(target + " is not a directory");
        }
        Path state = root.resolve(STATE_DIRECTORY);
        if (Files.exists(state, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(state);
        }
        try {
            Files.createDirectory(state);
        } catch (FileAlreadyExistsException exists) {
            if (!Files.isDirectory(state, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(state + " is not a directory");
            }
        }
        return new TargetDirectory(root);
    }

    Path root() {
        return root;
    }

    Path stateDirectory() {
        return root.resolve(STATE_DIRECTORY);
    }

    /**
     * Where a bundle path lands. The path must have passed {@link ManifestCheck} (which checks that it lands inside
     * the target); this checks again, cheaply, that it stays below the root.
     */
    Path resolve(String bundlePath) {
        Path resolved = root.resolve(bundlePath);
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new IllegalArgumentException("path '" + bundlePath + "' lands outside " + root);
        }
        return resolved;
    }

    /**
     * Creates the directories above {@code file} (a path inside the root) and checks each is a real directory, not a
     * link: {@link Files#createDirectories} alone would follow one.
     */
    void createParents(Path file) throws IOException {
        Path parent = file.getParent();
        if (parent == null || checkedDirectories.contains(parent)) {
            return;
        }
        if (!parent.startsWith(root)) {
            throw new IOException(file + " is outside " + root);
        }
        Files.createDirectories(parent);
        for (Path directory = parent; !directory.equals(root); directory = directory.getParent()) {
            if (checkedDirectories.contains(directory)) {
                break;
            }
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(root.relativize(directory) + " in " + root
                        + " is not a directory (a link?); refusing to write through it");
            }
        }
        for (Path directory = parent; !directory.equals(root); directory = directory.getParent()) {
            checkedDirectories.add(directory);
        }
    }

    /** Makes the entries of a directory durable: what renames and deletions in it did survives a crash. */
    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
