package io.kubecrawl.worker.run;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;

/**
 * Sends the spider's and the agent's log lines to the operator through one long-lived UploadLogs stream per agent
 * process. Lines wait in a bounded queue and go out together every flush interval (or sooner when many are waiting);
 * a broken stream is replaced, with backoff, and the message it could not take is sent again on the new one. When
 * the operator cannot keep up, the oldest lines are dropped and the operator is told how many: the container log
 * still has them all. Closing sends what is left and a final message with {@code last = true}, trying for at most the
 * close timeout.
 *
 * <p>Lines already handed to a stream that breaks later may be lost: logs are best effort, items are not.
 */
public final class LogShipper implements AutoCloseable {
    static final int MAX_BUFFERED_LINES = 10_000;
    static final int MAX_LINES_PER_MESSAGE = 1_000;
    static final int MAX_CHARS_PER_MESSAGE = 256 * 1024;
    /** The operator closed the stream or replied before the last message: open another. */
    private static final Status ENDED = Status.UNAVAILABLE.withDescription("the operator ended the log stream");

    private final String worker;
    private final Duration flushInterval;
    private final Duration closeTimeout;
    private final RetryPolicy<Object> reconnect;
    private final Consumer<String> problems;

    private final Object lock = new Object();
    private final Deque<LogLine> pending = new ArrayDeque<>();
    private long dropped;
    private boolean closing;
    private boolean streamBroken;
    private Thread sender;
    private FrontierClient frontier;
    /** Used by the sender thread only. */
    private ReadyGatedStream<LogLines, LogsReceipt> stream;

    /**
     * @param problems where the shipper reports its own trouble (the agent's stderr only: the operator is what it
     *     cannot reach)
     */
    public LogShipper(RunSettings settings, Consumer<String> problems) {
        this.worker = settings.worker();
        this.flushInterval = settings.logFlushInterval();
        this.closeTimeout = settings.logCloseTimeout();
        this.problems = problems;
        this.reconnect = RetryPolicy.builder()
                .handle(StatusRuntimeException.class)
                .withBackoff(settings.retryDelay(), settings.retryMaxDelay())
                .withJitter(0.25)
                .withMaxAttempts(-1)
                .onRetry(event -> frontier.resetConnectBackoff())
                .build();
    }

    /** Starts sending, through {@code frontier}; lines added before are kept and sent first. */
    public void start(FrontierClient frontier) {
        synchronized (lock) {
            this.frontier = frontier;
            sender = new Thread(this::sendUntilClosed, "log-shipper");
            sender.setDaemon(true);
            sender.start();
        }
    }

    /** Queues one line; {@code batch} is the batch it was written during, or null. Never blocks. */
    public void add(LogLine.Source source, BatchRef batch, String text) {
        LogLine.Builder line = LogLine.newBuilder().setSource(source).setText(text);
        if (batch != null) {
            line.setBatch(batch);
        }
        synchronized (lock) {
            if (closing) {
                // After the final message there is nothing to send it with; the container log has it.
                return;
            }
            if (pending.size() == MAX_BUFFERED_LINES) {
                pending.removeFirst();
                dropped++;
            }
            pending.addLast(line.build());
            if (pending.size() >= MAX_LINES_PER_MESSAGE) {
                lock.notifyAll();
            }
        }
    }

    /** Sends what is queued and the final message; gives up after the close timeout. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
            running = sender;
        }
        if (running == null) {
            return;
        }
        try {
            running.join(closeTimeout.toMillis());
            if (running.isAlive()) {
                running.interrupt();
                problems.accept("the operator did not take the last log lines within " + closeTimeout.toMillis()
                        + " ms; they are only in the container log");
                running.join(1000);
            }
        } catch (InterruptedException interrupted) {
            running.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    private void sendUntilClosed() {
        try {
            while (true) {
                LogLines message = nextMessage();
                if (message == null) {
                    continue;
                }
                deliver(message);
                if (message.getLast()) {
                    finishStream();
                    return;
                }
            }
        } catch (InterruptedException stopped) {
            // close() gave up waiting: the agent is exiting.
        } finally {
            if (stream != null) {
                stream.cancel("the worker closed its log stream", null);
            }
        }
    }

    /** The next message to send, or null if there was nothing to send for a flush interval. */
    private LogLines nextMessage() throws InterruptedException {
        synchronized (lock) {
            if (!closing && pending.size() < MAX_LINES_PER_MESSAGE) {
                lock.wait(flushInterval.toMillis());
            }
            LogLines.Builder message = LogLines.newBuilder().setWorker(worker);
            if (dropped > 0) {
                message.addLines(LogLine.newBuilder().setSource(LogLine.Source.AGENT).setText("kubecrawl-worker: "
                        + dropped + " log lines dropped: the operator did not take them fast enough"));
                dropped = 0;
            }
            int chars = 0;
            while (!pending.isEmpty() && message.getLinesCount() < MAX_LINES_PER_MESSAGE
                    && chars < MAX_CHARS_PER_MESSAGE) {
                LogLine line = pending.removeFirst();
                chars += line.getText().length();
                message.addLines(line);
            }
            boolean last = closing && pending.isEmpty();
            if (message.getLinesCount() == 0 && !last) {
                return null;
            }
            return message.setLast(last).build();
        }
    }

    /** Sends on the current stream, or on a new one, until it goes through. */
    private void deliver(LogLines message) throws InterruptedException {
        try {
            Failsafe.with(reconnect).run(() -> {
                if (stream == null) {
                    stream = new ReadyGatedStream<>(ENDED);
                    frontier.uploadLogs(stream);
                }
                try {
                    if (!stream.send(message)) {
                        throw ENDED.asRuntimeException();
                    }
                } catch (StatusRuntimeException broken) {
                    stream = null;
                    reportBroken(broken);
                    throw broken;
                }
            });
            streamBroken = false;
        } catch (FailsafeException wrapped) {
            if (wrapped.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw wrapped;
        }
    }

    private void finishStream() throws InterruptedException {
        try {
            stream.finish(closeTimeout);
        } catch (StatusRuntimeException failed) {
            problems.accept("the operator may not have received the last log lines: "
                    + FrontierCallException.describe(failed));
        } catch (TimeoutException late) {
            problems.accept("the operator may not have received the last log lines: no receipt within "
                    + closeTimeout);
        } finally {
            stream = null;
        }
    }

    /** Once per outage, not once per attempt: the container log must not fill with reconnects. */
    private void reportBroken(StatusRuntimeException broken) {
        if (!streamBroken) {
            streamBroken = true;
            problems.accept("the log stream to the operator broke (" + FrontierCallException.describe(broken)
                    + "); reconnecting");
        }
    }
}
