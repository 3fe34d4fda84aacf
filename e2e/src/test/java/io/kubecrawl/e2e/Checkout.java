package io.kubecrawl.e2e;

import java.nio.file.Path;

/** The repository checkout the suites build from and apply. */
public final class Checkout {
    /**
     * The checkout's top folder: the nearest one up from the working directory that holds the chart. Surefire runs in
     * the e2e module, the try-out's exec:java in the folder Maven was started from.
     */
    public static final Path ROOT = root(Path.of("").toAbsolutePath());

    private static Path root(Path from) {
        for (Path dir = from; dir != null; dir = dir.getParent()) {
            if (java.nio.file.Files.isRegularFile(dir.resolve("helm/kubecrawl/Chart.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Kubecrawl checkout (helm/kubecrawl/Chart.yaml) in " + from
                + " or above it");
    }

    private Checkout() {
    }
}
