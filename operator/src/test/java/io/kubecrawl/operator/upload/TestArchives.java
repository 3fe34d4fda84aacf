package io.kubecrawl.operator.upload;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Archives for the upload tests, written with commons-compress the way tar and zip tools write them, including the
 * entries no bundle may hold (links, devices, FIFOs), and the digest a bundle must get, computed by hand from the
 * documented canonical form rather than with the code under test.
 */
public final class TestArchives {

    /** One archive entry: a regular file, a directory, or something a bundle refuses. */
    public record Entry(String name, byte tarType, int mode, byte[] content, String linkName) {

        public boolean isFile() {
            return tarType == TarConstants.LF_NORMAL;
        }

        public String contentSha256() {
            return sha256(content);
        }
    }

    private TestArchives() {
    }

    /**
     * Every regular file under {@code project}, named by its path relative to it, mode 0644, in path order; Python's
     * byte-code caches left by a local run are not part of a project.
     */
    public static List<Entry> directory(Path project) throws IOException {
        List<Entry> files = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(project)) {
            for (Path file : paths.filter(Files::isRegularFile).filter(f -> !f.toString().contains("__pycache__"))
                    .sorted().toList()) {
                files.add(file(project.relativize(file).toString(), Files.readAllBytes(file), 0644));
            }
        }
        return files;
    }

    public static Entry file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public static Entry file(String name, String content, int mode) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    public static Entry file(String name, byte[] content, int mode) {
        return new Entry(name, TarConstants.LF_NORMAL, mode, content, null);
    }

    public static Entry directory(String name) {
        return new Entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 0755, new byte[0], null);
    }

    public static Entry symlink(String name, String target) {
        return new Entry(name, TarConstants.LF_SYMLINK, 0777, new byte[0], target);
    }

    public static Entry hardLink(String name, String target) {
        return new Entry(name, TarConstants.LF_LINK, 0644, new byte[0], target);
    }

    public static Entry characterDevice(String name) {
        return new Entry(name, TarConstants.LF_CHR, 0644, new byte[0], null);
    }

    public static Entry blockDevice(String name) {
        return new Entry(name, TarConstants.LF_BLK, 0644, new byte[0], null);
    }

    public static Entry fifo(String name) {
        return new Entry(name, TarConstants.LF_FIFO, 0644, new byte[0], null);
    }

    /** Content that does not compress. */
    public static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) {
                bytes[i + j] = (byte) (value >>> (8 * j));
            }
        }
        return bytes;
    }

    /** Content that compresses about fourfold: in every 4 KiB, one random KiB and zeros. */
    public static byte[] fourfoldCompressible(int size, long seed) {
        byte[] bytes = new byte[size];
        for (int block = 0; block < size; block += 4096) {
            byte[] random = randomBytes(Math.min(1024, size - block), seed + block);
            System.arraycopy(random, 0, bytes, block, random.length);
        }
        return bytes;
    }

    public static byte[] tarGz(Entry... entries) {
        return tarGz(List.of(entries));
    }

    public static byte[] tarGz(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GzipParameters gzip = new GzipParameters();
        gzip.setCompressionLevel(1);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes, gzip))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                TarArchiveEntry header = new TarArchiveEntry(entry.name(), entry.tarType(), true);
                header.setMode(entry.mode());
                if (entry.linkName() != null) {
                    header.setLinkName(entry.linkName());
                }
                if (entry.isFile()) {
                    header.setSize(entry.content().length);
                }
                tar.putArchiveEntry(header);
                if (entry.isFile()) {
                    tar.write(entry.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] zip(Entry... entries) {
        return zip(List.of(entries));
    }

    /** Unix file types and modes recorded as Info-ZIP does; a symbolic link's target is its content. */
    public static byte[] zip(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Entry entry : entries) {
                ZipArchiveEntry header = new ZipArchiveEntry(entry.name());
                int type = switch (entry.tarType()) {
                    case TarConstants.LF_DIR -> 0040000;
                    case TarConstants.LF_SYMLINK -> 0120000;
                    case TarConstants.LF_CHR -> 0020000;
                    case TarConstants.LF_BLK -> 0060000;
                    case TarConstants.LF_FIFO -> 0010000;
                    default -> 0100000;
                };
                header.setUnixMode(type | entry.mode());
                zip.putArchiveEntry(header);
                zip.write(entry.linkName() != null ? entry.linkName().getBytes(StandardCharsets.UTF_8)
                        : entry.content());
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The canonical manifest line of a file: {@code <sha256> <mode, 4 octal digits> <size> <path>}. */
    public static String manifestLine(String path, int mode, byte[] content) {
        return sha256(content) + " " + String.format("%04o", mode) + " " + content.length + " " + path + "\n";
    }

    /** {@code sha256:} of the canonical manifest of these lines, sorted by path. */
    public static String digestOfLines(String... lines) {
        String[] sorted = Arrays.copyOf(lines, lines.length);
        Arrays.sort(sorted, Comparator.comparing(line -> line.split(" ", 4)[3]));
        return "sha256:" + sha256(String.join("", sorted).getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
