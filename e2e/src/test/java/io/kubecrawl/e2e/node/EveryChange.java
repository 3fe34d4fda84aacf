package io.kubecrawl.e2e.node;

import java.util.function.Consumer;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/** An informer's handler that does the same on every add, update and delete. */
final class EveryChange<T> implements ResourceEventHandler<T> {
    private final Consumer<T> action;

    EveryChange(Consumer<T> action) {
        this.action = action;
    }

    /** For actions that look at the informer's whole store rather than the changed object. */
    EveryChange(Runnable action) {
        this(changed -> action.run());
    }

    @Override
    public void onAdd(T added) {
        action.accept(added);
    }

    @Override
    public void onUpdate(T old, T updated) {
        action.accept(updated);
    }

    @Override
    public void onDelete(T deleted, boolean deletedFinalStateUnknown) {
        action.accept(deleted);
    }
}
