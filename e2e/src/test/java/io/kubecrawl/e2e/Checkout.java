package io.kubecrawl.e2e;

import java.nio.file.Path;

/** The repository checkout the suites build from and apply. */
final class Checkout {
    /** Surefire runs the tests in this module's directory, one level below the repository root. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Checkout() {
    }
}
