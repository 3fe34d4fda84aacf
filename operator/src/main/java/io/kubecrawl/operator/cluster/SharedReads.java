package io.kubecrawl.operator.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Reads of the same thing by concurrent callers, shared so that none is older than the caller's own would have
 * been: a caller gets the result of a read that started after it asked. Callers that ask while a read of the key is
 * under way wait for it to end and then share the next one, which the first of them starts. After an operator's
 * restart, hundreds of reconciles ask at once for the resourceVersion of the one ConfigMap their jobs share; with
 * this, they make a few requests between them instead of one each, and still never see a version older than when
 * they asked.
 *
 * @param <K> what is read (a ConfigMap's namespace and name, say)
 */
public final class SharedReads<K, V> {

    /** A key's read not started yet, joined by the callers waiting for it, and whether one is under way. */
    private static final class State<V> {
        CompletableFuture<V> next;
        boolean running;
    }

    private final Map<K, State<V>> states = new HashMap<>();

    /**
     * The result of a read of {@code key} that started after this call: this caller's {@code read}, or another
     * caller's of the same key, which must read the same way.
     *
     * @throws RuntimeException what the shared read threw
     */
    public V read(K key, Supplier<V> read) {
        CompletableFuture<V> mine;
        State<V> state;
        synchronized (this) {
            state = states.computeIfAbsent(key, k -> new State<>());
            if (state.next == null) {
                state.next = new CompletableFuture<>();
            }
            mine = state.next;
            while (state.running && state.next == mine) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a read of " + key, e);
                }
            }
            if (state.next == mine) {
                state.next = null;
                state.running = true;
            } else {
                // Another caller started the read this one joined.
                return result(mine);
            }
        }
        try {
            mine.complete(read.get());
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
        } finally {
            synchronized (this) {
                state.running = false;
                if (state.next == null) {
                    states.remove(key);
                }
                notifyAll();
            }
        }
        return result(mine);
    }

    private static <V> V result(CompletableFuture<V> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
