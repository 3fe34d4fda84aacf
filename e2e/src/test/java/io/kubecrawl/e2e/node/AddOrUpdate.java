package io.kubecrawl.e2e.node;

import java.util.function.Consumer;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/** An informer's handler that does the same on every add and update, and nothing when an object goes. */
public final class AddOrUpdate<T> implements ResourceEventHandler<T> {
    private final Consumer<T> action;

    public AddOrUpdate(Consumer<T> action) {
        this.action = action;
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
        // Nothing to do for what is gone: the action is about objects that exist.
    }
}
