package io.kubecrawl.operator.crawljob;

import java.util.List;

import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.operator.events.ClusterEvent;

/**
 * What one reconcile of a CrawlJob does, decided before anything is done: its steps, in the order they run. Every
 * plan writes the status once ({@link CrawlJobStep.RecordStatus}).
 */
public record CrawlJobPlan(List<CrawlJobStep> steps) {

    public CrawlJobPlan {
        steps = List.copyOf(steps);
        if (steps.stream().filter(CrawlJobStep.RecordStatus.class::isInstance).count() != 1) {
            throw new IllegalArgumentException("a plan records the status exactly once: " + steps);
        }
    }

    /** The steps of one kind, in order. */
    public <T extends CrawlJobStep> List<T> steps(Class<T> kind) {
        return steps.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    public boolean has(Class<? extends CrawlJobStep> kind) {
        return !steps(kind).isEmpty();
    }

    /** The status the CrawlJob should carry afterwards. */
    public CrawlJobStatus status() {
        return steps(CrawlJobStep.RecordStatus.class).get(0).status();
    }

    /** The Events announcing the phase change, sent with the status write. */
    public List<ClusterEvent> events() {
        return steps(CrawlJobStep.RecordStatus.class).get(0).transitionEvents();
    }

    /** The kinds of the steps, in order: what a test compares. */
    public List<Class<? extends CrawlJobStep>> kinds() {
        return steps.stream().<Class<? extends CrawlJobStep>>map(CrawlJobStep::getClass).toList();
    }
}
