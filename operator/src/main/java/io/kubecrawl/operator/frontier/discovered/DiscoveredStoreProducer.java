package io.kubecrawl.operator.frontier.discovered;

import java.nio.file.Path;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.kubecrawl.operator.config.OperatorSettings;
import io.quarkus.runtime.Startup;

/**
 * The operator's store of discovered requests, in {@code frontier/} of its data directory. Opened at start, before
 * the start-up recovery rebuilds any job's frontier from it (an open that fails stops the operator's start), and
 * closed last, after the gRPC server stopped taking completions.
 */
public class DiscoveredStoreProducer {

    /** The store's directory under the data directory. */
    public static final String DIRECTORY = "frontier";

    @Produces
    @Singleton
    @Startup
    DiscoveredRequestStore discoveredRequestStore(OperatorSettings settings) {
        return DiscoveredRequestStore.open(Path.of(settings.dataDir()).resolve(DIRECTORY));
    }

    void close(@Disposes DiscoveredRequestStore store) {
        store.close();
    }
}
