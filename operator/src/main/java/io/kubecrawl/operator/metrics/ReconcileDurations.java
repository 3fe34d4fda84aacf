package io.kubecrawl.operator.metrics;

import java.util.function.Supplier;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * How long reconciles take, by controller ({@code kubecrawl_reconcile_duration_seconds}): one timer per controller,
 * not per resource, so a cluster of a thousand jobs has two series, and no histogram (count and sum give the mean).
 */
@Singleton
public class ReconcileDurations {

    public static final String METRIC = "kubecrawl.reconcile.duration";

    private final MeterRegistry registry;

    public ReconcileDurations(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Runs one reconcile of {@code controller} ({@code crawljob}, {@code spider}), timed whether it ends well or not. */
    public <T> T time(String controller, Supplier<T> reconcile) {
        return Timer.builder(METRIC).tag("controller", controller)
                .description("Time a reconcile took, observe to last write").register(registry)
                .record(reconcile);
    }
}
