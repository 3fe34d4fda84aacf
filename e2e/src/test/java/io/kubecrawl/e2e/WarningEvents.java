package io.kubecrawl.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubecrawl.e2e.node.AddOrUpdate;

/**
 * Every Warning Event of the cluster while the suite runs, so that the suite can fail on one nobody expected: a
 * warning a platform team would see in {@code kubectl get events} is a defect until a test says why it is right.
 */
final class WarningEvents implements AutoCloseable {
    private final List<Event> warnings = new CopyOnWriteArrayList<>();
    private final SharedIndexInformer<Event> informer;

    WarningEvents(KubernetesClient client) {
        informer = client.v1().events().inAnyNamespace().inform(new AddOrUpdate<>(this::record));
    }

    private void record(Event event) {
        if ("Warning".equals(event.getType())) {
            warnings.add(event);
        }
    }

    /** The warnings none of {@code expected} accounts for, one line each. */
    List<String> unexpected(List<Predicate<Event>> expected) {
        return warnings.stream()
                .filter(event -> expected.stream().noneMatch(allowed -> allowed.test(event)))
                .map(WarningEvents::describe)
                .distinct()
                .toList();
    }

    static String describe(Event event) {
        return event.getInvolvedObject().getKind() + " " + event.getInvolvedObject().getNamespace() + "/"
                + event.getInvolvedObject().getName() + ": " + event.getReason() + ": " + event.getMessage();
    }

    @Override
    public void close() {
        informer.close();
    }
}
