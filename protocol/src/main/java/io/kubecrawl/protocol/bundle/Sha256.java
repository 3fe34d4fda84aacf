package io.kubecrawl.protocol.bundle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The one hash of Kubecrawl bundles. A file is named by the lower-case hex of its sha256; a bundle by
 * {@code sha256:<hex>} of its canonical manifest (the prefix leaves room for another algorithm one day).
 */
public final class Sha256 {

    public static final String DIGEST_PREFIX = "sha256:";
    public static final int HEX_LENGTH = 64;

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{" + HEX_LENGTH + "}");

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Lower-case hex sha256 of {@code content}. */
    public static String hex(byte[] content) {
        return HexFormat.of().formatHex(newDigest().digest(content));
    }

    /** Lower-case hex of what {@code digest} has hashed so far; the digest is reset. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Whether {@code text} is 64 lower-case hex digits, the way files are named. */
    public static boolean isHex(String text) {
        return text != null && HEX.matcher(text).matches();
    }

    /** Whether {@code text} is {@code sha256:} and 64 lower-case hex digits, the way bundles are named. */
    public static boolean isDigest(String text) {
        return text != null && text.startsWith(DIGEST_PREFIX) && isHex(text.substring(DIGEST_PREFIX.length()));
    }

    /**
     * The hex part of a bundle digest.
     *
     * @throws IllegalArgumentException when {@code digest} is not {@code sha256:<64 lower-case hex digits>}
     */
    public static String hexOf(String digest) {
        if (!isDigest(digest)) {
            throw new IllegalArgumentException("not a bundle digest (sha256:<64 lower-case hex digits>): " + digest);
        }
        return digest.substring(DIGEST_PREFIX.length());
    }
}
