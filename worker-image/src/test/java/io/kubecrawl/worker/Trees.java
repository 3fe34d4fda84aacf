package io.kubecrawl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.kubecrawl.protocol.bundle.Sha256;

/** File trees for tests: build them, and describe them so that two can be compared. */
final class Trees {
    private Trees() {
    }

    /**
     * Every entry under {@code root} except the sync's state directory: a file as {@code "file <mode> <sha256>"}, a
     * directory as {@code "dir"}, a link as {@code "link -> <target>"}.
     */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path entry : (Iterable<Path>) walk::iterator) {
                if (entry.equals(root)) {
                    continue;
                }
                String path = root.relativize(entry).toString();
                if (path.equals(".kubecrawl") || path.startsWith(".kubecrawl/")) {
                    continue;
                }
                if (Files.isSymbolicLink(entry)) {
                    entries.put(path, "link -> " + Files.readSymbolicLink(entry));
                } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(path, "dir");
                } else {
                    entries.put(path, "file " + Integer.toOctalString(mode(entry)) + " " + sha256(entry));
                }
            }
        }
        return entries;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[(int) Math.min(1 << 20, Math.max(1, Files.size(file)))];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return Sha256.hex(digest);
    }

    static int mode(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        String text = PosixFilePermissions.toString(permissions);
        int mode = 0;
        for (int i = 0; i < 9; i++) {
            if (text.charAt(i) != '-') {
                mode |= 1 << (8 - i);
            }
        }
        return mode;
    }

    static Path write(Path root, String path, String content) throws IOException {
        return write(root, path, content, 0644);
    }

    static Path write(Path root, String path, String content, int mode) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        setMode(file, mode);
        return file;
    }

    static void setMode(Path file, int mode) throws IOException {
        StringBuilder text = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            text.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(text.toString()));
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed}, streaming: memory does not grow with the size. */
    static Path writeRandom(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buffer = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; ) {
                int length = (int) Math.min(buffer.length, size - written);
                for (int i = 0; i + 8 <= length; i += 8) {
                    long value = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        buffer[i + b] = (byte) (value >>> (8 * b));
                    }
                }
                for (int i = length - length % 8; i < length; i++) {
                    buffer[i] = (byte) random.nextInt();
                }
                out.write(buffer, 0, length);
                written += length;
            }
        }
        return file;
    }

    /** Every entry directly or indirectly under {@code root}, the state directory included, as relative paths. */
    static java.util.List<String> list(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(path -> !path.equals(root)).map(path -> root.relativize(path).toString()).sorted()
                    .toList();
        }
    }
}
