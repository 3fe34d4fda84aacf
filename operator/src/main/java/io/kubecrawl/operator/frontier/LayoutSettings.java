package io.kubecrawl.operator.frontier;

import io.kubecrawl.crd.v1alpha1.Partitioning;

/**
 * What decides a job's layout besides its seeds, with the CRD defaults applied: jobs with the same seeds and the same
 * settings have the same layout.
 */
public record LayoutSettings(Partitioning partitioning, int slots, int batchSize) {
}
