package io.kubecrawl.protocol.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
        files = files.stream().sorted(Comparator.comparing(BundleFile::path)).toList();
        Set<String> paths = new HashSet<>();
        for (BundleFile file : files) {
            if (!paths.add(file.path())) {
                throw new IllegalArgumentException("path '" + file.path() + "' is listed more than once");
            }
        }
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
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("a canonical manifest ends with a newline");
        }
        List<BundleFile> files = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] fields = line.split(" ", 4);
            if (fields.length != 4) {
                throw new IllegalArgumentException("manifest line has fewer than 4 fields: " + line);
            }
            try {
                files.add(new BundleFile(fields[3], Integer.parseInt(fields[1], 8), Long.parseLong(fields[2]),
                        fields[0]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("manifest line has a malformed mode or size: " + line, e);
            }
        }
        BundleManifest manifest = new BundleManifest(files);
        if (!Arrays.equals(manifest.canonicalForm(), canonical)) {
            throw new IllegalArgumentException("manifest is not in canonical form (order, mode digits or numbers)");
        }
        return manifest;
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
