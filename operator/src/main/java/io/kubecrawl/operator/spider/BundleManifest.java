package io.kubecrawl.operator.spider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The list of files of a bundle, sorted by path. Its digest is the sha256 of its canonical form, one line per file:
 * {@code <sha256> <mode as 4 octal digits> <size> <path>\n}; paths cannot hold a newline, so the form is unambiguous,
 * and equal trees give equal digests whatever order their files were read in.
 */
public record BundleManifest(List<BundleFile> files) {

    public BundleManifest {
        files = files.stream().sorted(Comparator.comparing(BundleFile::path)).toList();
    }

    public byte[] canonicalForm() {
        StringBuilder text = new StringBuilder();
        for (BundleFile file : files) {
            text.append(file.sha256()).append(' ')
                    .append(String.format("%04o", file.mode())).append(' ')
                    .append(file.size()).append(' ')
                    .append(file.path()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code sha256:<hex>} of the canonical form. */
    public String digest() {
        return "sha256:" + sha256Hex(canonicalForm());
    }

    public long totalBytes() {
        return files.stream().mapToLong(BundleFile::size).sum();
    }

    static String sha256Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
