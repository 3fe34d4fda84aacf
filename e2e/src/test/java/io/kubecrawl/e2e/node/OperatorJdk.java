package io.kubecrawl.e2e.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JVM this node runs the operator image on: a JDK of the image's feature version (Debian 13's OpenJDK 25) or later
 * where Debian installs JDKs, so that the entrypoint keeps the AOT cache the image keeps; without one, the JVM on the
 * PATH, which the suite says once.
 */
public final class OperatorJdk {
    static final int IMAGE_FEATURE = 25;

    private static final Path JDKS = Path.of("/usr/lib/jvm");
    private static final Pattern FEATURE = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
    private static final Optional<Path> HOME = find();

    private OperatorJdk() {
    }

    /** The JDK's home, or empty for the JVM on the PATH. */
    public static Optional<Path> home() {
        return HOME;
    }

    private static Optional<Path> find() {
        Optional<Path> home = Optional.empty();
        if (Files.isDirectory(JDKS)) {
            try (Stream<Path> homes = Files.list(JDKS)) {
                home = homes.filter(dir -> Files.isExecutable(dir.resolve("bin/java")))
                        .filter(dir -> feature(dir) >= IMAGE_FEATURE).sorted().findFirst();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        System.out.println(home.map(dir -> "The operator image runs on " + dir)
                .orElse("No JDK " + IMAGE_FEATURE + " or later in " + JDKS + ", as the operator image ships: the "
                        + "operator runs on the JVM on the PATH, with a CDS archive in place of an AOT cache"));
        return home;
    }

    private static int feature(Path home) {
        try {
            Matcher version = FEATURE.matcher(Files.readString(home.resolve("release")));
            return version.find() ? Integer.parseInt(version.group(1)) : 0;
        } catch (IOException noReleaseFile) {
            return 0;
        }
    }
}
