package io.kubecrawl.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kubecrawl.crd.v1alpha1.Condition;

/**
 * Builds the full, fixed set of conditions of one status. A condition keeps its previous
 * {@code lastTransitionTime} unless its status changed, so that tools watching transitions (kstatus, Argo CD,
 * {@code kubectl wait}) see a transition exactly when one happened.
 */
public final class ConditionsBuilder {

    private final Map<String, Condition> previous = new LinkedHashMap<>();
    private final Map<String, Condition> next = new LinkedHashMap<>();
    private final long generation;
    private final String now;

    public ConditionsBuilder(List<Condition> previousConditions, long generation, Instant now) {
        if (previousConditions != null) {
            previousConditions.forEach(c -> previous.put(c.getType(), c));
        }
        this.generation = generation;
        // Seconds are what Kubernetes itself writes; finer times would make equal statuses differ.
        this.now = now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public ConditionsBuilder set(String type, boolean status, String reason, String message) {
        return put(type, status ? Condition.TRUE : Condition.FALSE, reason, message);
    }

    public ConditionsBuilder unknown(String type, String reason, String message) {
        return put(type, Condition.UNKNOWN, reason, message);
    }

    private ConditionsBuilder put(String type, String status, String reason, String message) {
        Condition condition = new Condition(type, status, reason, message);
        condition.setObservedGeneration(generation);
        Condition before = previous.get(type);
        condition.setLastTransitionTime(before != null && status.equals(before.getStatus())
                && before.getLastTransitionTime() != null ? before.getLastTransitionTime() : now);
        next.put(type, condition);
        return this;
    }

    public List<Condition> build() {
        return new ArrayList<>(next.values());
    }
}
