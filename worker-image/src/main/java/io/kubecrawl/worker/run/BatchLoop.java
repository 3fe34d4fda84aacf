package io.kubecrawl.worker.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.worker.ExitCodes;

/**
 * The agent's main loop: lease a batch, write its files, run the spider on it while renewing the lease, report the
 * outcome (the items through CompleteBatch, or FailBatch with the exit code and the end of stderr), delete the files,
 * and lease again; wait when told to; stop when the frontier is drained.
 *
 * <p>A batch whose lease was lost, or that was running when the agent was told to stop (SIGTERM), is not reported:
 * its lease expires and the operator hands it out again, without counting a failure against it.
 */
public final class BatchLoop {
    /** The longest stderr text a failure report carries: the operator keeps it in the job's status. */
    static final int MAX_ERROR_CHARS = 4096;
    /** The shortest pause between leases, whatever the operator says: a zero wait must not become a busy loop. */
    static final long SHORTEST_WAIT_MILLIS = 100;

    private final RunSettings settings;
    private final FrontierClient frontier;
    private final LeaseRenewer renewer;
    private final LogShipper logs;
    private final AgentLog log;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> inheritedEnvironment;

    private volatile boolean stopping;
    /** A finished spider's outcome is being sent: stop() lets that call finish rather than waste the work. */
    private volatile boolean reporting;
    private volatile Thread loopThread;
    private volatile SpiderProcess current;
    private volatile String failure;

    /**
     * @param out the agent's stdout, which receives the spider's stdout
     * @param err the agent's stderr, which receives the spider's stderr
     * @param inheritedEnvironment the environment the spider inherits (the agent's own)
     */
    public BatchLoop(RunSettings settings, FrontierClient frontier, LeaseRenewer renewer, LogShipper logs,
            AgentLog log, PrintWriter out, PrintWriter err, Map<String, String> inheritedEnvironment) {
        this.settings = settings;
        this.frontier = frontier;
        this.renewer = renewer;
        this.logs = logs;
        this.log = log;
        this.out = out;
        this.err = err;
        this.inheritedEnvironment = Map.copyOf(inheritedEnvironment);
    }

    /**
     * Runs batches until the frontier is drained ({@link ExitCodes#DONE}), the operator stays unreachable for
     * {@code --max-wait} or refuses the worker ({@link ExitCodes#CANNOT_COMPLETE}, with the reason logged), or
     * {@link #stop()} is called.
     */
    public int run() {
        loopThread = Thread.currentThread();
        log.info(null, "worker " + settings.worker() + " of " + settings.connection().namespace() + "/"
                + settings.connection().job() + " asks " + settings.connection().operator() + " for batches");
        try {
            while (!stopping) {
                LeaseReply reply = frontier.lease();
                switch (reply.getOutcomeCase()) {
                    case BATCH -> runBatch(reply.getBatch());
                    case WAIT -> pause(reply.getWait().getRetryAfterMillis());
                    case DRAINED -> {
                        log.info(null, "the frontier is drained: done");
                        return ExitCodes.DONE;
                    }
                    default -> {
                        log.info(null, "the operator's lease reply named no outcome; asking again");
                        pause(SHORTEST_WAIT_MILLIS);
                    }
                }
            }
        } catch (FrontierCallException failed) {
            if (!stopping) {
                return cannotComplete(failed.getMessage());
            }
        } catch (InterruptedException interrupted) {
            if (!stopping) {
                return cannotComplete("interrupted");
            }
        } catch (ScratchException unwritable) {
            return cannotComplete(unwritable.getMessage());
        } finally {
            // An interrupt from stop() must not cut the final log message short.
            Thread.interrupted();
            loopThread = null;
        }
        log.info(null, "stopped before the frontier was drained");
        return ExitCodes.CANNOT_COMPLETE;
    }

    /**
     * Why {@link #run()} returned {@link ExitCodes#CANNOT_COMPLETE}, or null. It has gone to the operator but not to
     * stderr: the caller prints it last, after the log stream is closed, because the last line of a failed container's
     * log is what Kubernetes shows as its termination message.
     */
    public String failure() {
        return failure;
    }

    private int cannotComplete(String reason) {
        failure = reason;
        log.ship(null, reason);
        return ExitCodes.CANNOT_COMPLETE;
    }

    /**
     * Stops the loop from another thread (the SIGTERM hook): the running spider is stopped and not reported, a lease
     * call or a wait in progress is interrupted; a report in progress is left to finish. Returns once the spider has
     * exited.
     */
    public void stop() {
        stopping = true;
        SpiderProcess spider = current;
        if (spider != null) {
            stopQuietly(spider);
        }
        // A running spider's end already ends the loop's wait; an interrupt there would only cut its output short.
        Thread thread = loopThread;
        if (thread != null && spider == null && !reporting) {
            thread.interrupt();
        }
    }

    private void runBatch(Batch batch) throws FrontierCallException, InterruptedException, ScratchException {
        BatchRef ref = batch.getRef();
        String name = "batch " + BatchNames.name(ref) + " (attempt " + batch.getAttempt() + ")";
        log.info(ref, name + ": " + batch.getRequestsCount() + " requests, lease " + batch.getLeaseSeconds() + " s");
        try (BatchFiles files = createFiles(batch)) {
            Map<String, String> environment = SpiderEnvironment.of(inheritedEnvironment, settings, batch,
                    files.requests(), files.items());
            SpiderProcess spider;
            try {
                spider = SpiderProcess.start(settings.spiderCommand(), settings.workdir(), environment, ref,
                        this::copyOutput, settings.stopGrace());
            } catch (IOException cannotStart) {
                String error = "cannot start " + settings.spiderCommand() + " in " + settings.workdir() + ": "
                        + cannotStart.getMessage();
                log.info(ref, name + ": " + error);
                reportFailure(batch, name, -1, error);
                return;
            }
            int exitCode;
            boolean lost;
            current = spider;
            try (LeaseRenewer.Renewal renewal = renewer.renew(batch, () -> stopQuietly(spider))) {
                if (stopping) {
                    // stop() may have looked for the spider just before it was current.
                    stopQuietly(spider);
                }
                exitCode = spider.waitFor();
                renewal.close();
                lost = renewal.lost();
            } catch (InterruptedException interrupted) {
                if (!stopping) {
                    throw interrupted;
                }
                exitCode = -1;
                lost = false;
            } finally {
                current = null;
            }
            if (stopping) {
                log.info(ref, name + ": stopped with the agent; not reported, the operator leases it again");
                return;
            }
            if (lost) {
                return;
            }
            reporting = true;
            try {
                if (exitCode == 0) {
                    reportCompletion(batch, name, files);
                } else {
                    log.info(ref, name + ": the spider exited with " + exitCode);
                    reportFailure(batch, name, exitCode, tail(spider.stderrTail()));
                }
            } finally {
                reporting = false;
            }
        }
    }

    private BatchFiles createFiles(Batch batch) throws ScratchException {
        try {
            return BatchFiles.create(settings.scratch(), settings.worker(), batch);
        } catch (IOException unwritable) {
            throw new ScratchException("cannot write the batch files in the scratch directory " + settings.scratch()
                    + " (--scratch): " + unwritable);
        }
    }

    private void reportCompletion(Batch batch, String name, BatchFiles files)
            throws FrontierCallException, InterruptedException {
        BatchReport report;
        try {
            report = frontier.complete(batch, files.items());
        } catch (IOException unreadable) {
            reportFailure(batch, name, 0, "the spider exited 0 but its items file cannot be read: " + unreadable);
            return;
        } catch (FrontierCallException refused) {
            if (refused.code() != Status.Code.INVALID_ARGUMENT) {
                throw refused;
            }
            // The operator refused the items themselves (not JSON lines): that is this attempt's failure, not the
            // agent's; another attempt may produce good ones.
            log.info(batch.getRef(), name + ": " + refused.getMessage());
            reportFailure(batch, name, 0, refused.getMessage());
            return;
        }
        String outcome = switch (report.getOutcome()) {
            case COMPLETED -> "completed, " + report.getItems() + " items stored";
            case ALREADY_FINISHED -> "was already finished; the operator ignored this completion";
            default -> "the operator answered " + report.getOutcome();
        };
        log.info(batch.getRef(), name + ": " + outcome);
    }

    private void reportFailure(Batch batch, String name, int exitCode, String error)
            throws FrontierCallException, InterruptedException {
        BatchReport report = frontier.fail(batch, exitCode, error);
        String outcome = switch (report.getOutcome()) {
            case RETRYING -> "failure reported; the operator will lease the batch again";
            case GAVE_UP -> "failure reported; that was its last allowed attempt, the job goes on without it";
            case ALREADY_FINISHED -> "failure reported; the batch was already finished";
            default -> "failure reported; the operator answered " + report.getOutcome();
        };
        log.info(batch.getRef(), name + ": " + outcome);
    }

    /** The spider's lines go to the container log as they are, and to the operator tagged with batch and source. */
    private void copyOutput(LogLine.Source source, BatchRef batch, String text) {
        PrintWriter target = source == LogLine.Source.STDERR ? err : out;
        target.println(text);
        target.flush();
        logs.add(source, batch, text);
    }

    private void pause(long retryAfterMillis) throws InterruptedException {
        long wait = Math.max(SHORTEST_WAIT_MILLIS, retryAfterMillis);
        // Up to a tenth more, so that workers told to wait together do not all ask again at the same instant.
        long jitter = ThreadLocalRandom.current().nextLong(wait / 10 + 1);
        TimeUnit.MILLISECONDS.sleep(wait + jitter);
    }

    private void stopQuietly(SpiderProcess spider) {
        try {
            spider.stop();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stderr tail as one text, cut at the front to {@value #MAX_ERROR_CHARS} characters. */
    static String tail(List<String> lines) {
        String text = String.join("\n", lines);
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(text.length() - MAX_ERROR_CHARS);
    }

    /** The scratch directory cannot hold the batch files: no batch can run, so the agent stops. */
    static final class ScratchException extends Exception {
        ScratchException(String message) {
            super(message);
        }
    }
}
