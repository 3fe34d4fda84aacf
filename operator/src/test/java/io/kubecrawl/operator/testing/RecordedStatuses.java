package io.kubecrawl.operator.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Singleton;

import io.kubecrawl.operator.recovery.RecoveryGate;
import io.kubecrawl.operator.status.StatusRecorded;

/** Every status a reconcile handed to the recorder in this application, and whether the recovery gate was open then. */
@Singleton
public class RecordedStatuses {

    /** One reconcile's last step. */
    public record Recorded(String namespace, String name, String outcome, boolean gateOpen) {
    }

    private final RecoveryGate gate;
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

    public RecordedStatuses(RecoveryGate gate) {
        this.gate = gate;
    }

    /** Before the application's observers: recovery opens the gate on the last job's event, which must read closed. */
    void onRecorded(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StatusRecorded status) {
        recorded.add(new Recorded(status.resource().getMetadata().getNamespace(),
                status.resource().getMetadata().getName(), status.outcome(), gate.isOpen()));
    }

    /** Those of one resource, in the order they were recorded. */
    public List<Recorded> of(String namespace, String name) {
        return recorded.stream().filter(r -> r.namespace().equals(namespace) && r.name().equals(name)).toList();
    }
}
