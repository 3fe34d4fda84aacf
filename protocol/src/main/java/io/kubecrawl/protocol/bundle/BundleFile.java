package io.kubecrawl.protocol.bundle;

import java.util.Optional;

/**
 * One file of a spider bundle. Every instance is valid: a manifest received from elsewhere cannot smuggle in a path
 * outside the bundle or a malformed hash.
 *
 * @param path relative path with '/' separators, checked by {@link BundlePath}
 * @param mode permission bits, for example 0644 or 0755
 * @param size size in bytes
 * @param sha256 lower-case hex sha256 of the content
 * @throws IllegalArgumentException when any of them is malformed
 */
public record BundleFile(String path, int mode, long size, String sha256) {

    /** The permission bits a file may carry: rwx for user, group and others, plus setuid, setgid and sticky. */
    public static final int MAX_MODE = 07777;

    public BundleFile {
        Optional<String> pathProblem = BundlePath.problem(path);
        if (pathProblem.isPresent()) {
            throw new IllegalArgumentException("path '" + path + "' is refused: " + pathProblem.get());
        }
        if (mode < 0 || mode > MAX_MODE) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " of '" + path
                    + "' is not a permission mode (0 to 7777 octal)");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " of '" + path + "' is negative");
        }
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("sha256 of '" + path + "' is not 64 lower-case hex digits");
        }
    }
}
