package io.kubecrawl.operator.items;

import java.nio.file.Path;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.logs.LogStore;

/** The item and log stores of the operator, on its data directory. */
public class OutputStoresProducer {

    @Produces
    @Singleton
    ItemStore itemStore(OperatorSettings settings) {
        return new ItemStore(Path.of(settings.dataDir()));
    }

    @Produces
    @Singleton
    LogStore logStore(OperatorSettings settings) {
        return new LogStore(Path.of(settings.dataDir()));
    }
}
