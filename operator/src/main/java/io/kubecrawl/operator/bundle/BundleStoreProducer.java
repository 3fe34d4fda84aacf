package io.kubecrawl.operator.bundle;

import java.nio.file.Path;
import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.kubecrawl.operator.config.OperatorSettings;

/** The one bundle store of the operator, on its data directory. */
public class BundleStoreProducer {

    @Produces
    @Singleton
    BundleStore bundleStore(OperatorSettings settings, Clock clock) {
        return new BundleStore(Path.of(settings.dataDir()), clock);
    }
}
