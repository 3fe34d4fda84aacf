package io.kubecrawl.operator.recovery;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

/**
 * Closed from the operator's start until {@link StartupRecovery} has opened its stores, seen its informers synced and
 * rebuilt the frontier of every unfinished CrawlJob; open for the rest of the process's life. While it is closed,
 * workers' frontier calls are refused with UNAVAILABLE (they retry), uploads with 503 and Retry-After, and the
 * readiness check is DOWN. Nothing waits at the gate: a refused call costs nothing and holds nothing.
 */
@Singleton
public class RecoveryGate {

    /** What a refused caller is told about when to come back. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private volatile boolean open;
    private volatile String waitingFor = "the operator is starting";
    private final List<Runnable> onOpen = new ArrayList<>();

    public boolean isOpen() {
        return open;
    }

    /** What recovery is waiting for while the gate is closed, for refusals and the readiness check. */
    public String waitingFor() {
        return waitingFor;
    }

    /** A sentence for a refused caller: why, and that it should retry. */
    public String refusal() {
        return "the operator is recovering after its start (" + waitingFor + "); retry in a few seconds";
    }

    void waitFor(String what) {
        waitingFor = what;
    }

    /** Runs {@code action} when the gate opens, or now if it is open. */
    public void whenOpen(Runnable action) {
        synchronized (onOpen) {
            if (!open) {
                onOpen.add(action);
                return;
            }
        }
        action.run();
    }

    void open() {
        List<Runnable> actions;
        synchronized (onOpen) {
            waitingFor = "nothing";
            open = true;
            actions = List.copyOf(onOpen);
            onOpen.clear();
        }
        actions.forEach(Runnable::run);
    }
}
