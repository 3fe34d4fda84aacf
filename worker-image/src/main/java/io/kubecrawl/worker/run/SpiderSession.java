package io.kubecrawl.worker.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;

/**
 * One spider process and the batches it serves. It starts on a batch, with that batch's files in its environment
 * and, in {@code KUBECRAWL_AGENT_SOCKET}, the path of a {@link SessionSocket} the agent listens on for this process.
 * A spider that never connects runs that one batch and exits: its exit code is the batch's outcome, as it always
 * was. A spider that connects (the Scrapy helper does) says over the socket when each batch is done or failed, and
 * is handed the next batch there instead of a new process being started; it exits when told to finish.
 *
 * <p>A connected spider may say it runs several batches at once ({@code accepts}); the agent then hands it the next
 * batch while the last one still runs, so that the spider is never idle between batches. Each {@code done} or
 * {@code failed} names its batch and attempt.
 *
 * <p>The agent uploads a batch's items only after the spider said {@code done} for that very batch and attempt, so a
 * process that dies or breaks the connection mid-batch leaves nothing of that attempt behind.
 */
final class SpiderSession {
    /** How a batch given to the session ended. */
    sealed interface Outcome {
        /** The spider said the batch is done: its items file is complete. */
        record Done() implements Outcome {
        }

        /** The spider said the batch failed, and waits for the next one. */
        record Failed(String error) implements Outcome {
        }

        /**
         * The process exited, or was stopped, before it said anything about the batch.
         *
         * @param connected whether it had connected: a connected spider's exit is never a completion
         * @param why what ended the session, for the agent's log
         * @param stoppedByAgent whether the agent gave the process up ({@link #abandon()}, for a lost lease): the
         *     end of its other batches is then not their failure
         */
        record Ended(int exitCode, List<String> stderrTail, boolean connected, String why, boolean stoppedByAgent)
                implements Outcome {
        }
    }

    /** What the session said about one batch in flight. */
    record Reported(String batch, int attempt, Outcome outcome) {
    }

    /** A batch handed over: the attempt matters, since a batch whose lease was lost may come back as the next. */
    private record InFlight(String batch, int attempt) {
        @Override
        public String toString() {
            return batch + " (attempt " + attempt + ")";
        }
    }

    /** How long a spider that closed the connection has to exit by itself before it is stopped. */
    static final Duration CONNECTION_END_GRACE = Duration.ofSeconds(2);

    private final Duration stopGrace;
    private SpiderProcess process;
    private SessionSocket socket;

    private final Object lock = new Object();
    private final Deque<SessionMessage> received = new ArrayDeque<>();
    private boolean connected;
    private String sessionEnded;
    private boolean exited;
    /** The batches handed over and not yet reported: name to attempt, oldest first. */
    private final Set<InFlight> inFlight = new LinkedHashSet<>();
    /** How many batches the spider runs at once: 1 until it says otherwise. */
    private int capacity = 1;
    /** Set once the process has ended: what every batch still in flight ended with. */
    private Outcome.Ended ended;
    private volatile boolean stoppedByAgent;
    private int batchesServed;

    private SpiderSession(Duration stopGrace) {
        this.stopGrace = stopGrace;
    }

    /**
     * Listens on {@code socketPath} and starts the spider on {@code batch}. When the socket cannot be made (a scratch
     * path too long for a Unix socket) the spider starts without {@code KUBECRAWL_AGENT_SOCKET}, as a one-batch
     * process, and {@code problems} is told why.
     *
     * @throws IOException if the process cannot be started
     */
    static SpiderSession start(List<String> command, Path workdir, Map<String, String> environment, Path socketPath,
            Batch batch, SpiderOutput output, Duration stopGrace, Consumer<String> problems) throws IOException {
        SpiderSession session = new SpiderSession(stopGrace);
        session.inFlight(batch);
        Map<String, String> withSocket = new HashMap<>(environment);
        try {
            session.socket = SessionSocket.listen(socketPath, session.new Events());
            withSocket.put(SpiderEnvironment.AGENT_SOCKET_ENV, socketPath.toAbsolutePath().toString());
        } catch (IOException | UnsupportedOperationException cannotListen) {
            problems.accept("cannot listen on " + socketPath + " (" + cannotListen.getMessage() + "); the spider runs "
                    + "one batch per process");
        }
        try {
            session.process = SpiderProcess.start(command, workdir, withSocket, batch.getRef(), output, stopGrace);
        } catch (IOException cannotStart) {
            session.closeSocket();
            throw cannotStart;
        }
        session.process.onExit().thenRun(session::processExited);
        return session;
    }

    long pid() {
        return process.pid();
    }

    int batchesServed() {
        return batchesServed;
    }

    /** Whether the spider is connected and has room for another batch: {@link #offer} may give it one. */
    boolean acceptsBatches() {
        synchronized (lock) {
            return connected && sessionEnded == null && !exited && inFlight.size() < capacity;
        }
    }

    /** Whether the spider is connected and runs no batch: it may be told to finish. */
    private boolean waitingForBatch() {
        synchronized (lock) {
            return connected && sessionEnded == null && !exited && inFlight.isEmpty();
        }
    }

    /**
     * Gives the connected spider its next batch.
     *
     * @param discoveredFile where the batch's discovered requests go, or null when they stay in the spider's process
     * @throws IOException if the connection broke: the batch did not reach the spider
     */
    void offer(Batch next, Path requestsFile, Path itemsFile, Path discoveredFile) throws IOException {
        inFlight(next);
        process.tagOutput(next.getRef());
        try {
            socket.send(SessionMessage.batch(BatchNames.name(next.getRef()), next.getAttempt(),
                    requestsFile.toAbsolutePath().toString(), itemsFile.toAbsolutePath().toString(),
                    discoveredFile == null ? null : discoveredFile.toAbsolutePath().toString()));
        } catch (IOException broken) {
            synchronized (lock) {
                inFlight.remove(new InFlight(BatchNames.name(next.getRef()), next.getAttempt()));
            }
            throw broken;
        }
    }

    /**
     * Waits until a batch in flight is done or failed, or the process ended; that batch is then over. When the process
     * has ended, every call returns the next batch still in flight with the same {@link Outcome.Ended}.
     *
     * @param orRoom also return (null) as soon as the spider has room for another batch
     * @return what became of one batch, or null if {@code orRoom} and there is room
     */
    Reported awaitOutcome(boolean orRoom) throws InterruptedException {
        synchronized (lock) {
            while (ended == null) {
                Reported reported = reportedOutcome();
                if (reported != null) {
                    return reported;
                }
                if (exited || (connected && sessionEnded != null)) {
                    break;
                }
                if (orRoom && connected && inFlight.size() < capacity) {
                    return null;
                }
                lock.wait();
            }
        }
        if (ended == null) {
            // A spider that is exiting closes its end first; one that is not exiting cannot go on without the
            // connection, so it is stopped.
            if (!process.exitsWithin(CONNECTION_END_GRACE)) {
                process.stop();
            }
            int exitCode = process.waitFor();
            if (socket != null) {
                // A "done" sent just before the exit is still on its way; it counts.
                socket.awaitEnd(SpiderProcess.PUMP_DRAIN);
            }
            synchronized (lock) {
                Reported reported = reportedOutcome();
                if (reported != null) {
                    return reported;
                }
                String why = sessionEnded != null && connected ? sessionEnded : "the spider exited with " + exitCode;
                ended = new Outcome.Ended(exitCode, process.stderrTail(), connected, why, stoppedByAgent);
            }
        }
        synchronized (lock) {
            Reported reported = reportedOutcome();
            if (reported != null) {
                return reported;
            }
            var oldest = inFlight.iterator();
            if (!oldest.hasNext()) {
                throw new IllegalStateException("no batch in flight");
            }
            InFlight batch = oldest.next();
            oldest.remove();
            return new Reported(batch.batch(), batch.attempt(), ended);
        }
    }

    /**
     * Ends the session of a spider waiting for a batch: tells it to finish and gives it the stop grace period to
     * exit, then stops it. Returns its exit code once it has exited.
     */
    int finish() throws InterruptedException {
        if (waitingForBatch()) {
            try {
                socket.send(SessionMessage.finish());
                if (!process.exitsWithin(stopGrace)) {
                    process.stop();
                }
            } catch (IOException broken) {
                process.stop();
            }
        } else {
            process.stop();
        }
        int exitCode = process.waitFor();
        closeSocket();
        return exitCode;
    }

    /** Stops the process and everything it started (SIGTERM, SIGKILL after the grace period), then the socket. */
    void stop() throws InterruptedException {
        process.stop();
        closeSocket();
    }

    /**
     * Stops the process because the agent gives up one of its batches (its lease was lost): the other batches in
     * flight end {@link Outcome.Ended#stoppedByAgent() stopped by the agent}, not failed by the spider.
     */
    void abandon() throws InterruptedException {
        stoppedByAgent = true;
        stop();
    }

    private void closeSocket() {
        if (socket != null) {
            socket.close();
        }
    }

    private void inFlight(Batch next) {
        synchronized (lock) {
            inFlight.add(new InFlight(BatchNames.name(next.getRef()), next.getAttempt()));
        }
    }

    /** A batch's outcome if the spider reported one; a message about a batch not in flight breaks the session. */
    private Reported reportedOutcome() {
        SessionMessage message;
        while ((message = received.poll()) != null) {
            InFlight batch = message.batch() == null || message.attempt() == null ? null
                    : new InFlight(message.batch(), message.attempt());
            if (batch == null || !inFlight.contains(batch)) {
                sessionEnded = "the spider sent " + message.type() + " for batch " + message.batch() + " (attempt "
                        + message.attempt() + "), which is not in flight (in flight: " + describeInFlight() + ")";
                socket.close();
                return null;
            }
            Outcome outcome = switch (String.valueOf(message.type())) {
                case SessionMessage.DONE -> new Outcome.Done();
                case SessionMessage.FAILED -> new Outcome.Failed(message.error() == null ? "" : message.error());
                default -> null;
            };
            if (outcome == null) {
                sessionEnded = "the spider sent a message of unknown type " + message.type();
                socket.close();
                return null;
            }
            inFlight.remove(batch);
            batchesServed++;
            return new Reported(batch.batch(), batch.attempt(), outcome);
        }
        return null;
    }

    private String describeInFlight() {
        return inFlight.isEmpty() ? "none" : inFlight.stream().map(InFlight::toString)
                .collect(Collectors.joining(", "));
    }

    private void processExited() {
        synchronized (lock) {
            exited = true;
            lock.notifyAll();
        }
        if (socket != null) {
            socket.stopListening();
        }
    }

    /** What the socket reports, on its own thread. */
    private final class Events implements SessionSocket.Listener {
        @Override
        public void connected() {
            synchronized (lock) {
                connected = true;
                lock.notifyAll();
            }
        }

        @Override
        public void received(SessionMessage message) {
            synchronized (lock) {
                if (SessionMessage.ACCEPTS.equals(message.type())) {
                    // More than the agent can use is harmless: it never holds more than the operator allows.
                    capacity = Math.max(1, message.batches() == null ? 1 : message.batches());
                } else {
                    SpiderSession.this.received.add(message);
                }
                lock.notifyAll();
            }
        }

        @Override
        public void ended(String why) {
            synchronized (lock) {
                if (sessionEnded == null) {
                    sessionEnded = why;
                }
                lock.notifyAll();
            }
        }
    }
}
