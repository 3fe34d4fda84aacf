package io.kubecrawl.worker.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.worker.ExitCodes;

/**
 * The agent's main loop: lease a batch, write its files, run the spider on it while renewing the lease, report the
 * outcome (the items through CompleteBatch, followed in Frontier mode by the requests the spider discovered; or
 * FailBatch with the exit code and the end of stderr), delete the files, and lease again; wait when told to; stop when
 * the frontier is drained.
 *
 * <p>A spider that connects to the agent's socket (a {@link SpiderSession}, as the Scrapy helper does) is given the
 * next batch over it instead of a new process being started for every batch; it is told to finish when the frontier
 * is drained. Any other spider runs one batch per process. A session that runs several batches at once is given the
 * next one while the last still runs (up to the job's {@code maxBatchesPerWorker}), so that it never idles on the
 * last slow pages of a batch; each batch is reported as soon as the spider says it is done.
 *
 * <p>A batch whose lease was lost, or that was running when the agent was told to stop (SIGTERM), is not reported:
 * its lease expires and the operator hands it out again, without counting a failure against it.
 */
public final class BatchLoop {
    /** The shortest pause between leases, whatever the operator says: a zero wait must not become a busy loop. */
    static final long SHORTEST_WAIT_MILLIS = 100;

    private final RunSettings settings;
    private final FrontierClient frontier;
    private final LeaseRenewer renewer;
    private final BatchReporter reporter;
    private final LogShipper logs;
    private final AgentLog log;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> inheritedEnvironment;

    private volatile boolean stopping;
    /** A finished spider's outcome is being sent: stop() lets that call finish rather than waste the work. */
    private volatile boolean reporting;
    private volatile Thread loopThread;
    /** The spider process: running a batch, or (a session) waiting for the next one; null between processes. */
    private volatile SpiderSession session;
    /**
     * The batches handed to a spider and not yet over, by name and attempt ({@link #key}), oldest first; touched by
     * the loop thread only.
     */
    private final Map<String, RunningBatch> running = new LinkedHashMap<>();
    /** Running attempts the operator has since leased again (their lease expired): they are not reported. */
    private final Set<String> superseded = new HashSet<>();
    private volatile boolean batchRunning;
    /** The most batches the operator lets this worker hold (from the last batch leased). */
    private int maxBatches = 1;
    private int processesStarted;
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
        this.reporter = new BatchReporter(frontier, log, settings.discoversForFrontier());
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
            // Whether to ask for one more batch while others run: not after the operator said to wait.
            boolean leaseAhead = true;
            while (!stopping) {
                if (running.isEmpty()) {
                    leaseAhead = true;
                    LeaseReply reply = frontier.lease();
                    switch (reply.getOutcomeCase()) {
                        case BATCH -> start(reply.getBatch());
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
                } else if (leaseAhead && hasRoom()) {
                    LeaseReply reply = frontier.lease();
                    if (reply.hasBatch()) {
                        start(reply.getBatch());
                    } else {
                        // Drained or wait: nothing more for now; the batches running are awaited, then it asks again.
                        leaseAhead = false;
                    }
                } else if (awaitOne(leaseAhead && running.size() < maxBatches)) {
                    leaseAhead = true;
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
            // An interrupt from stop() must not cut the final log message short, nor the spider's finish.
            Thread.interrupted();
            loopThread = null;
            abandonRunning();
            finishSession();
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
     * Stops the loop from another thread (the SIGTERM hook): a spider running batches is stopped and they are not
     * reported; a lease call or a wait between batches is interrupted, and a session spider waiting for a batch is
     * then told to finish (a lease call made while batches run is let finish, and a batch it brings is not started);
     * a report in progress is left to finish. Returns once a running spider has exited.
     */
    public void stop() {
        stopping = true;
        SpiderSession spider = session;
        boolean running = batchRunning;
        if (spider != null && running) {
            stopQuietly(spider);
        }
        // A running spider's end already ends the loop's wait; an interrupt there would only cut its output short.
        Thread thread = loopThread;
        if (thread != null && !running && !reporting) {
            thread.interrupt();
        }
    }

    /** A batch handed to a spider: its files, the spider running it, and its lease's renewal. */
    private record RunningBatch(Batch batch, String name, BatchFiles files, SpiderSession spider,
            LeaseRenewer.Renewal renewal) {
    }

    /** Whether the session may take one more batch now: it has room, and the operator allows this worker another. */
    private boolean hasRoom() {
        SpiderSession spider = session;
        return running.size() < maxBatches && spider != null && spider.acceptsBatches();
    }

    private static String key(String batch, int attempt) {
        return batch + "#" + attempt;
    }

    /** Writes the batch's files and hands it to a spider, whose outcome {@link #awaitOne} then waits for. */
    private void start(Batch batch) throws FrontierCallException, InterruptedException, ScratchException {
        String name = "batch " + BatchNames.name(batch.getRef()) + " (attempt " + batch.getAttempt() + ")";
        if (stopping) {
            // Leased while stop() was waiting for the lease call: not started; its lease expires.
            log.info(batch.getRef(), name + ": leased as the agent stops; not started, the operator leases it again");
            return;
        }
        maxBatches = Math.max(1, batch.getMaxBatches());
        for (RunningBatch earlier : running.values()) {
            if (earlier.batch().getRef().equals(batch.getRef())) {
                // Its lease expired while it ran (the operator was out of reach): that attempt is no longer ours.
                superseded.add(key(BatchNames.name(earlier.batch().getRef()), earlier.batch().getAttempt()));
                earlier.renewal().close();
            }
        }
        BatchFiles files = createFiles(batch);
        SpiderSession spider;
        try {
            spider = spiderFor(batch, name, files);
        } catch (FrontierCallException | InterruptedException | RuntimeException failed) {
            files.close();
            throw failed;
        }
        if (spider == null) {
            files.close();
            return;
        }
        running.put(key(BatchNames.name(batch.getRef()), batch.getAttempt()), new RunningBatch(batch, name, files,
                spider, renewer.renew(batch, () -> abandonQuietly(spider))));
        batchRunning = true;
        if (stopping) {
            // stop() may have looked at the session just before this batch was in flight.
            stopQuietly(spider);
        }
    }

    /**
     * Waits for the outcome of one running batch and reports it.
     *
     * @param orRoom also return as soon as the session has room for another batch
     * @return whether a batch was over (false: woken for room)
     */
    private boolean awaitOne(boolean orRoom) throws FrontierCallException, InterruptedException {
        SpiderSession spider = running.values().iterator().next().spider();
        SpiderSession.Reported reported;
        try {
            reported = spider.awaitOutcome(orRoom && spider == session);
        } catch (InterruptedException interrupted) {
            if (!stopping) {
                throw interrupted;
            }
            return false;
        }
        if (reported == null) {
            return false;
        }
        String key = key(reported.batch(), reported.attempt());
        RunningBatch batch = running.remove(key);
        batchRunning = !running.isEmpty();
        if (batch == null) {
            throw new IllegalStateException("the session reported " + reported.batch() + ", which the agent never "
                    + "gave it");
        }
        try (BatchFiles files = batch.files()) {
            batch.renewal().close();
            SpiderSession.Outcome outcome = reported.outcome();
            if (outcome instanceof SpiderSession.Outcome.Ended && session == spider) {
                endSession(spider, outcome);
            }
            if (stopping) {
                log.info(batch.batch().getRef(), batch.name() + ": stopped with the agent; not reported, the operator "
                        + "leases it again");
                return true;
            }
            if (batch.renewal().lost()) {
                return true;
            }
            if (superseded.remove(key)) {
                log.info(batch.batch().getRef(), batch.name() + ": leased again meanwhile as a later attempt; not "
                        + "reported");
                return true;
            }
            if (outcome instanceof SpiderSession.Outcome.Ended ended && ended.stoppedByAgent()) {
                log.info(batch.batch().getRef(), batch.name() + ": the spider process was stopped (another batch's "
                        + "lease was lost); not reported, the operator leases it again");
                return true;
            }
            reporting = true;
            try {
                reporter.report(batch.batch(), batch.name(), files, outcome);
            } finally {
                reporting = false;
            }
        }
        return true;
    }

    /** When the loop ends with batches still running (stopped): they are not reported; their leases expire. */
    private void abandonRunning() {
        for (RunningBatch batch : running.values()) {
            batch.renewal().close();
            stopQuietly(batch.spider());
            batch.files().close();
            log.info(batch.batch().getRef(), batch.name() + ": stopped with the agent; not reported, the operator "
                    + "leases it again");
        }
        running.clear();
        batchRunning = false;
    }

    /**
     * The spider process that runs the batch: the session's, if it has room for one more, else a new one started
     * on it. Null if the command cannot start: that failure is already reported.
     */
    private SpiderSession spiderFor(Batch batch, String name, BatchFiles files)
            throws FrontierCallException, InterruptedException {
        BatchRef ref = batch.getRef();
        String size = batch.getRequestsCount() + " requests, lease " + batch.getLeaseSeconds() + " s";
        SpiderSession current = session;
        if (current != null && current.acceptsBatches()) {
            try {
                current.offer(batch, files.requests(), files.items(), reporter.discoveredFile(files));
                log.info(ref, name + ": " + size + ", to the running spider (pid " + current.pid() + ")");
                return current;
            } catch (IOException broken) {
                log.info(ref, name + ": the running spider (pid " + current.pid() + ") cannot take it (" + broken
                        + "); starting a new one");
                endSession(current, null);
            }
        } else if (current != null) {
            endSession(current, null);
        }
        Map<String, String> environment = SpiderEnvironment.of(inheritedEnvironment, settings, batch,
                files.requests(), files.items(), files.discovered());
        try {
            processesStarted++;
            SpiderSession started = SpiderSession.start(settings.spiderCommand(), settings.workdir(), environment,
                    socketPath(), batch, this::copyOutput, settings.stopGrace(), problem -> log.info(ref, problem));
            session = started;
            log.info(ref, name + ": " + size + ", in a new spider process (pid " + started.pid() + ")");
            return started;
        } catch (IOException cannotStart) {
            String error = "cannot start " + settings.spiderCommand() + " in " + settings.workdir() + ": "
                    + cannotStart.getMessage();
            log.info(ref, name + ": " + size + "; " + error);
            reporter.reportFailure(batch, name, -1, error);
            return null;
        }
    }

    /** Where the next spider process's session socket goes: named after the worker, one name per process. */
    private Path socketPath() {
        return settings.scratch().resolve(BatchFiles.safe(settings.worker()) + "-" + processesStarted + ".sock");
    }

    /**
     * The session's process is gone or no longer wanted: stops what is left of it and forgets it, so that the next
     * batch starts a new process.
     */
    private void endSession(SpiderSession ended, SpiderSession.Outcome outcome) {
        stopQuietly(ended);
        if (session == ended) {
            session = null;
        }
        if (ended.batchesServed() > 0 || outcome instanceof SpiderSession.Outcome.Ended e && e.connected()) {
            log.info(null, "the spider process (pid " + ended.pid() + ") ended after " + ended.batchesServed()
                    + " batches");
        }
    }

    /** At the end of the run: a spider waiting for a batch is told to finish (and exits 0), any other is stopped. */
    private void finishSession() {
        SpiderSession ending = session;
        if (ending == null) {
            return;
        }
        session = null;
        try {
            int exitCode = ending.finish();
            log.info(null, "the spider process (pid " + ending.pid() + ") served " + ending.batchesServed()
                    + " batches and exited with " + exitCode);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
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

    private void stopQuietly(SpiderSession spider) {
        try {
            spider.stop();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A batch's lease is lost: its process is stopped, and its other batches are not held against the spider. */
    private void abandonQuietly(SpiderSession spider) {
        try {
            spider.abandon();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The scratch directory cannot hold the batch files: no batch can run, so the agent stops. */
    static final class ScratchException extends Exception {
        ScratchException(String message) {
            super(message);
        }
    }
}
