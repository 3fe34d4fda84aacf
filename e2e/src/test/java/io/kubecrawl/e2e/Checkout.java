package io.kubecrawl.e2e;

import java.nio.file.Path;

/** The repository checkout the suites build from and apply. */
public final class Checkout {
    /** Surefire runs the tests in this module's directory, one level below the repository root. */
    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Checkout() {
    }
}
