package io.kubecrawl.worker.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.grpc.Status;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.worker.OneLine;

/**
 * Tells the operator how a batch ended, from what its spider said or how its process ended: CompleteBatch with the
 * items (and, in Frontier mode, the requests the spider discovered), or FailBatch with an exit code and the end of
 * stderr; and logs the operator's answer.
 */
final class BatchReporter {
    /** The longest stderr text a failure report carries: the operator keeps it in the job's status. */
    static final int MAX_ERROR_CHARS = 4096;

    private final FrontierClient frontier;
    private final AgentLog log;
    private final boolean discoversForFrontier;

    BatchReporter(FrontierClient frontier, AgentLog log, boolean discoversForFrontier) {
        this.frontier = frontier;
        this.log = log;
        this.discoversForFrontier = discoversForFrontier;
    }

    /** The batch's discovered requests file in Frontier mode; null when the spider's requests stay in its process. */
    Path discoveredFile(BatchFiles files) {
        return discoversForFrontier ? files.discovered() : null;
    }

    void report(Batch batch, String name, BatchFiles files, SpiderSession.Outcome outcome)
            throws FrontierCallException, InterruptedException {
        BatchRef ref = batch.getRef();
        if (outcome instanceof SpiderSession.Outcome.Done) {
            reportCompletion(batch, name, files);
        } else if (outcome instanceof SpiderSession.Outcome.Failed failed) {
            log.info(ref, name + ": the spider reported it failed: " + OneLine.of(failed.error()));
            // Exit code 0: the process did not exit; it carries on with the next batch.
            reportFailure(batch, name, 0, tail(failed.error().lines().toList()));
        } else if (outcome instanceof SpiderSession.Outcome.Ended ended && !ended.connected()
                && ended.exitCode() == 0) {
            reportCompletion(batch, name, files);
        } else if (outcome instanceof SpiderSession.Outcome.Ended ended) {
            if (ended.connected()) {
                log.info(ref, name + ": the spider process ended before it reported the batch: " + ended.why()
                        + "; exit code " + ended.exitCode());
            } else {
                log.info(ref, name + ": the spider exited with " + ended.exitCode());
            }
            reportFailure(batch, name, ended.exitCode(), ended.stderrTail().isEmpty() ? ended.why()
                    : tail(ended.stderrTail()));
        }
    }

    /**
     * CompleteBatch with the batch's items and, in Frontier mode, the requests its spider discovered. The discovered
     * requests file is checked whole first: a malformed line fails the attempt (FailBatch) before anything is sent,
     * rather than a request being silently dropped.
     */
    private void reportCompletion(Batch batch, String name, BatchFiles files)
            throws FrontierCallException, InterruptedException {
        Path discovered = discoveredFile(files);
        if (discovered != null && files.discoveredUnfinished()) {
            String error = "the spider left its discovered requests file unfinished (" + discovered.getFileName()
                    + BatchFiles.TEMPORARY_SUFFIX + " was never renamed)";
            log.info(batch.getRef(), name + ": " + error);
            reportFailure(batch, name, 0, error);
            return;
        }
        long requests = 0;
        BatchReport report;
        try {
            if (discovered != null) {
                requests = DiscoveredRequestsFile.check(discovered);
            }
            report = frontier.complete(batch, files.items(), discovered);
        } catch (DiscoveredRequestsFile.Malformed malformed) {
            String error = "the spider's discovered requests file is malformed: " + malformed.getMessage();
            log.info(batch.getRef(), name + ": " + error);
            reportFailure(batch, name, 0, error);
            return;
        } catch (IOException unreadable) {
            reportFailure(batch, name, 0, "the spider finished the batch but its files cannot be read: "
                    + OneLine.of(unreadable.toString()));
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
            case COMPLETED -> "completed, " + report.getItems() + " items stored"
                    + (discovered == null ? "" : ", " + requests + " discovered requests sent");
            case ALREADY_FINISHED -> "was already finished; the operator ignored this completion";
            default -> "the operator answered " + report.getOutcome();
        };
        log.info(batch.getRef(), name + ": " + outcome);
    }

    void reportFailure(Batch batch, String name, int exitCode, String error)
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

    /** The stderr tail as one text, cut at the front to {@value #MAX_ERROR_CHARS} characters. */
    static String tail(List<String> lines) {
        String text = String.join("\n", lines);
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(text.length() - MAX_ERROR_CHARS);
    }
}
