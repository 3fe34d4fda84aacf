package io.kubecrawl.protocol.bundle;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Decides whether a path may name a file in a bundle: relative, without {@code ..} or empty segments, and so always
 * inside the directory the bundle is synced into. Checked with the path API, segment by segment, never by string
 * slicing.
 */
public final class BundlePath {

    public static final int MAX_LENGTH = 4096;

    private BundlePath() {
    }

    /** @return the reason the path is refused, or empty when it is acceptable */
    public static Optional<String> problem(String path) {
        if (path == null || path.isEmpty()) {
            return Optional.of("the path is empty");
        }
        if (path.length() > MAX_LENGTH) {
            return Optional.of("the path is longer than " + MAX_LENGTH + " characters");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
            return Optional.of("the path holds a control character");
        }
        if (path.indexOf('\\') >= 0) {
            return Optional.of("the path holds a backslash; use '/' between directories");
        }
        if (path.startsWith("/")) {
            return Optional.of("the path is absolute");
        }
        Path parsed;
        try {
            parsed = Path.of(path);
        } catch (InvalidPathException e) {
            return Optional.of("the path is not valid: " + e.getReason());
        }
        if (parsed.isAbsolute()) {
            return Optional.of("the path is absolute");
        }
        for (Path segment : parsed) {
            String name = segment.toString();
            if (name.equals("..")) {
                return Optional.of("the path climbs out of the bundle with '..'");
            }
            if (name.equals(".")) {
                return Optional.of("the path holds a '.' segment");
            }
        }
        // Path.of folds "a//b" into "a/b"; a bundle path must be written in its one canonical form.
        if (!parsed.toString().equals(path)) {
            return Optional.of("the path holds an empty segment or a trailing '/'");
        }
        return Optional.empty();
    }

    /**
     * Where a bundle file lands inside {@code directory}. Checks the path again, and then that the resolved result
     * really is below the directory, so no path reaches outside it whatever the platform's separator rules.
     *
     * @throws IllegalArgumentException when the path is refused
     */
    public static Path resolveIn(Path directory, String path) {
        problem(path).ifPresent(problem -> {
            throw new IllegalArgumentException("path '" + path + "' is refused: " + problem);
        });
        Path base = directory.toAbsolutePath().normalize();
        Path resolved = base.resolve(path).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new IllegalArgumentException("path '" + path + "' lands outside " + base);
        }
        return resolved;
    }
}
