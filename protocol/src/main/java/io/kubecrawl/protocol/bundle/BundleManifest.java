package io.kubecrawl.protocol.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.kubecrawl.protocol.v1.FileEntry;
import io.kubecrawl.protocol.v1.Manifest;

/**
 * The list of files of a bundle, sorted by path. Its digest is the sha256 of its canonical form, one line per file:
 * {@code <sha256> <mode as 4 octal digits> <size> <path>\n}; paths cannot hold a newline, so the form is unambiguous,
 * and equal trees give equal digests whatever order their files were read in.
 *
 * <p>The canonical form is also how the operator stores a manifest ({@link #canonicalForm()},
 * {@link #fromCanonicalForm(byte[])}); {@link #toProto()} and {@link #fromProto(Manifest)} carry it over gRPC.
 */
public record BundleManifest(List<BundleFile> files) {

    /** @throws IllegalArgumentException when two files share a path */
    public BundleManifest {
        List<BundleFile> sorted = new ArrayList<>(files);
        // A manifest read back from its canonical form is sorted already: a worker re-syncing tens of thousands of
        // files should not pay for sorting them again.
        if (!isSorted(sorted)) {
            sorted.sort(Comparator.comparing(BundleFile::path));
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).path().equals(sorted.get(i).path())) {
                throw new IllegalArgumentException("path '" + sorted.get(i).path() + "' is listed more than once");
            }
        }
        files = List.copyOf(sorted);
    }

    private static boolean isSorted(List<BundleFile> files) {
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i - 1).path().compareTo(files.get(i).path()) > 0) {
                return false;
            }
        }
        return true;
    }

    public byte[] canonicalForm() {
        StringBuilder text = new StringBuilder();
        for (BundleFile file : files) {
            text.append(file.sha256()).append(' ')
                    .append(octalMode(file.mode())).append(' ')
                    .append(file.size()).append(' ')
                    .append(file.path()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The mode as at least 4 octal digits, as {@code String.format("%04o", mode)} writes it; format's parsing of its
     * pattern for each of tens of thousands of files is most of the time a short-lived worker spends on a manifest.
     */
    static String octalMode(int mode) {
        String octal = Integer.toOctalString(mode);
        return octal.length() >= 4 ? octal : "0000".substring(octal.length()) + octal;
    }

    /** {@code sha256:<hex>} of the canonical form. */
    public String digest() {
        return Sha256.DIGEST_PREFIX + Sha256.hex(canonicalForm());
    }

    public long totalBytes() {
        return files.stream().mapToLong(BundleFile::size).sum();
    }

    /** A file of this bundle whose content has this sha256 (several files may share it; any one will do). */
    public Optional<BundleFile> fileWithContent(String sha256) {
        return files.stream().filter(file -> file.sha256().equals(sha256)).findFirst();
    }

    /**
     * Reads back what {@link #canonicalForm()} wrote. Strict: anything {@code canonicalForm()} would not have
     * written the same way is refused, so the digest of the result is the sha256 of {@code canonical}.
     *
     * @throws IllegalArgumentException when {@code canonical} is not a canonical manifest
     */
    public static BundleManifest fromCanonicalForm(byte[] canonical) {
        String text = new String(canonical, StandardCharsets.UTF_8);
        List<BundleFile> files = new ArrayList<>();
        String previous = null;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                throw new IllegalArgumentException("a canonical manifest ends with a newline");
            }
            BundleFile file = canonicalLine(text.substring(start, end));
            // Strictly increasing paths: the order canonicalForm() writes, and no path twice.
            if (previous != null && previous.compareTo(file.path()) >= 0) {
                throw new IllegalArgumentException(previous.equals(file.path())
                        ? "path '" + file.path() + "' is listed more than once"
                        : "manifest is not in canonical form (order, mode digits or numbers)");
            }
            previous = file.path();
            files.add(file);
            start = end + 1;
        }
        return new BundleManifest(files);
    }

    /**
     * One line of the canonical form: {@code <sha256> <mode> <size> <path>}, each field written exactly as
     * {@link #canonicalForm()} writes it, so that the text read is the canonical form of what it is read into.
     */
    private static BundleFile canonicalLine(String line) {
        int afterSha = line.indexOf(' ');
        int afterMode = afterSha < 0 ? -1 : line.indexOf(' ', afterSha + 1);
        int afterSize = afterMode < 0 ? -1 : line.indexOf(' ', afterMode + 1);
        if (afterSize < 0) {
            throw new IllegalArgumentException("manifest line has fewer than 4 fields: " + line);
        }
        String modeField = line.substring(afterSha + 1, afterMode);
        String sizeField = line.substring(afterMode + 1, afterSize);
        int mode;
        long size;
        try {
            mode = Integer.parseInt(modeField, 8);
            size = Long.parseLong(sizeField);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("manifest line has a malformed mode or size: " + line, e);
        }
        if (!octalMode(mode).equals(modeField) || !Long.toString(size).equals(sizeField)) {
            throw new IllegalArgumentException("manifest is not in canonical form (order, mode digits or numbers): "
                    + line);
        }
        return new BundleFile(line.substring(afterSize + 1), mode, size, line.substring(0, afterSha));
    }

    public Manifest toProto() {
        Manifest.Builder proto = Manifest.newBuilder().setDigest(digest());
        for (BundleFile file : files) {
            proto.addFiles(FileEntry.newBuilder()
                    .setPath(file.path())
                    .setSize(file.size())
                    .setMode(file.mode())
                    .setSha256(file.sha256()));
        }
        return proto.build();
    }

    /**
     * The manifest a peer sent, checked: every entry valid and the digest it claims equal to the digest of its
     * files. A client that asked for a digest then compares {@link #digest()} with it.
     *
     * @throws IllegalArgumentException when an entry is malformed or the digest does not match the files
     */
    public static BundleManifest fromProto(Manifest proto) {
        List<BundleFile> files = proto.getFilesList().stream()
                .map(entry -> new BundleFile(entry.getPath(), entry.getMode(), entry.getSize(), entry.getSha256()))
                .toList();
        BundleManifest manifest = new BundleManifest(files);
        if (!manifest.digest().equals(proto.getDigest())) {
            throw new IllegalArgumentException("manifest claims digest " + proto.getDigest()
                    + " but its files give " + manifest.digest());
        }
        return manifest;
    }
}
