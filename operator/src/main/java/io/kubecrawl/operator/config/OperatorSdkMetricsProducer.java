package io.kubecrawl.operator.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * java-operator-sdk's reconcile metrics by controller ({@code operator_sdk_*}, as docs/operations.md lists them),
 * in place of the Quarkus extension's default, which also tags every meter with the resource's name and namespace.
 * That default registers a timer with a percentile histogram and a set of counters for every CrawlJob: thousands of
 * series for a cluster of a thousand jobs, their memory, and on an operator's start a histogram created and resized
 * for each job while recovery waits (7% of the operator's CPU samples in the recovery benchmark).
 */
public class OperatorSdkMetricsProducer {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
