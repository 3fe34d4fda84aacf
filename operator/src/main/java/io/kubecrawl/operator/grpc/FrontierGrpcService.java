package io.kubecrawl.operator.grpc;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.frontier.BatchId;
import io.kubecrawl.operator.frontier.BatchOutcome;
import io.kubecrawl.operator.frontier.DrainedFrontiers;
import io.kubecrawl.operator.frontier.Frontier;
import io.kubecrawl.operator.frontier.FrontierRegistry;
import io.kubecrawl.operator.frontier.LeaseOutcome;
import io.kubecrawl.operator.frontier.SeedRequest;
import io.kubecrawl.operator.items.ItemStore;
import io.kubecrawl.operator.items.ItemUpload;
import io.kubecrawl.operator.logs.LogStore;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerName;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.DiscoveredRequest;
import io.kubecrawl.protocol.v1.Drained;
import io.kubecrawl.protocol.v1.FailBatchRequest;
import io.kubecrawl.protocol.v1.FrontierServiceGrpc;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.kubecrawl.protocol.v1.LeaseRequest;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;
import io.kubecrawl.protocol.v1.RenewReply;
import io.kubecrawl.protocol.v1.RenewRequest;
import io.kubecrawl.protocol.v1.Wait;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;
import org.jboss.logging.Logger;

/**
 * Hands out a job's batches to its workers and takes back their reports, items and logs (see
 * {@code kubecrawl/v1/frontier.proto}). The job is always the one the worker token was issued for.
 *
 * <p>A completed batch's items are stored under the batch's name before the frontier marks it complete, and the
 * status records the completion only after that: so a batch the status calls complete always has its items, and a
 * batch done again after a crash replaces its own file. The requests its spider discovered are committed to the
 * frontier's store with the completion itself, once per batch (see {@link Frontier#complete}).
 *
 * <p>Until the operator's recovery after its start is done, every call is refused with UNAVAILABLE before it gets
 * here ({@link RecoveryGateInterceptor}).
 */
@GrpcService
@RegisterInterceptor(RecoveryGateInterceptor.class)
@RegisterInterceptor(WorkerAuthInterceptor.class)
public class FrontierGrpcService extends FrontierServiceGrpc.FrontierServiceImplBase {

    private static final Logger LOG = Logger.getLogger(FrontierGrpcService.class);

    private final FrontierRegistry frontiers;
    private final ItemStore items;
    private final LogStore logs;
    private final DrainedFrontiers drainedFrontiers;
    private final Clock clock;
    private final KillPoints killPoints;
    private final JobMetrics metrics;

    public FrontierGrpcService(FrontierRegistry frontiers, ItemStore items, LogStore logs,
            DrainedFrontiers drainedFrontiers, Clock clock, KillPoints killPoints, JobMetrics metrics) {
        this.metrics = metrics;
        this.frontiers = frontiers;
        this.items = items;
        this.logs = logs;
        this.drainedFrontiers = drainedFrontiers;
        this.clock = clock;
        this.killPoints = killPoints;
    }

    @Override
    @Blocking
    public void lease(LeaseRequest request, StreamObserver<LeaseReply> responses) {
        try {
            CrawlJobName job = AuthenticatedJob.current().name();
            if (frontiers.isFinished(job)) {
                responses.onNext(LeaseReply.newBuilder().setDrained(Drained.getDefaultInstance()).build());
                responses.onCompleted();
                return;
            }
            Frontier frontier = frontierOf(job);
            LeaseOutcome outcome = frontier.lease(worker(request.getWorker()), clock.instant());
            LeaseReply.Builder reply = LeaseReply.newBuilder();
            if (outcome instanceof LeaseOutcome.Granted granted) {
                killPoints.reach(KillPoint.BATCH_LEASED);
                reply.setBatch(Batch.newBuilder()
                        .setRef(ref(granted.lease().batch()))
                        .setAttempt(granted.lease().attempt())
                        .setMaxBatches(frontier.maxBatchesPerWorker())
                        .setLeaseSeconds((int) java.time.Duration.between(clock.instant(),
                                granted.lease().expiresAt()).toSeconds())
                        .addAllRequests(granted.requests().stream().map(SeedRequest::line).toList()));
            } else if (outcome instanceof LeaseOutcome.Wait wait) {
                reply.setWait(Wait.newBuilder().setRetryAfterMillis(wait.retryAfter().toMillis()));
            } else {
                reply.setDrained(Drained.getDefaultInstance());
            }
            responses.onNext(reply.build());
            responses.onCompleted();
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    @Override
    @Blocking
    public void renew(RenewRequest request, StreamObserver<RenewReply> responses) {
        try {
            Optional<Frontier> frontier = frontierUnlessFinished(AuthenticatedJob.current().name());
            Set<BatchId> asked = new LinkedHashSet<>();
            request.getBatchesList().forEach(ref -> asked.add(batch(ref)));
            // A finished job holds no lease: its workers drop their batches and hear it is drained on their next lease.
            Set<BatchId> held = frontier.isEmpty() ? Set.of()
                    : frontier.get().renew(worker(request.getWorker()), asked, clock.instant());
            if (!held.isEmpty()) {
                killPoints.reach(KillPoint.LEASE_RENEWED);
            }
            responses.onNext(RenewReply.newBuilder().addAllHeld(held.stream().map(FrontierGrpcService::ref).toList())
                    .build());
            responses.onCompleted();
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    @Override
    @Blocking
    public void failBatch(FailBatchRequest request, StreamObserver<BatchReport> responses) {
        try {
            CrawlJobName job = AuthenticatedJob.current().name();
            Optional<Frontier> frontier = frontierUnlessFinished(job);
            if (frontier.isEmpty()) {
                responses.onNext(report(BatchOutcome.ALREADY_FINISHED, 0));
                responses.onCompleted();
                return;
            }
            String error = "attempt " + request.getAttempt() + " exited with " + request.getExitCode() + ": "
                    + request.getError();
            BatchOutcome outcome = frontier.get().fail(batch(request.getBatch()), worker(request.getWorker()), error,
                    clock.instant());
            drainedFrontiers.reconcileIfDrained(job, frontier.get());
            responses.onNext(report(outcome, 0));
            responses.onCompleted();
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    @Override
    @Blocking
    public StreamObserver<CompleteBatchPart> completeBatch(StreamObserver<BatchReport> responses) {
        CrawlJobName job = AuthenticatedJob.current().name();
        return new StreamObserver<>() {
            private ItemUpload upload;
            private BatchId batch;
            private String worker;
            /** A batch's discovered requests: as many as its pages link to, held until the stream ends well. */
            private final List<DiscoveredRequest> discovered = new ArrayList<>();
            private long itemBytes;

            @Override
            public void onNext(CompleteBatchPart part) {
                if (part.hasHeader()) {
                    if (upload != null) {
                        fail(Status.INVALID_ARGUMENT.withDescription("a second header in one CompleteBatch stream"));
                        return;
                    }
                    batch = batch(part.getHeader().getBatch());
                    worker = part.getHeader().getWorker();
                    upload = items.begin(job, batch);
                } else if (upload == null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("CompleteBatch must start with its header"));
                } else if (part.hasDiscovered()) {
                    discovered.addAll(part.getDiscovered().getRequestsList());
                } else {
                    upload.append(part.getItems());
                    itemBytes += part.getItems().size();
                }
            }

            @Override
            public void onError(Throwable broken) {
                // The worker's stream broke: nothing of this upload becomes visible; the worker sends it again.
                if (upload != null) {
                    upload.discard();
                }
            }

            @Override
            public void onCompleted() {
                if (upload == null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("CompleteBatch without a header"));
                    return;
                }
                try {
                    Optional<Frontier> unlessFinished = frontierUnlessFinished(job);
                    worker(worker);
                    if (unlessFinished.isEmpty()) {
                        // The job is over: a late completion (a batch run twice, or finished after a restart) is
                        // accepted and ignored, and the worker hears that the frontier is drained when it asks.
                        upload.discard();
                        responses.onNext(report(BatchOutcome.ALREADY_FINISHED, 0));
                        responses.onCompleted();
                        return;
                    }
                    Frontier frontier = unlessFinished.get();
                    if (frontier.isFinished(batch)) {
                        upload.discard();
                        responses.onNext(report(BatchOutcome.ALREADY_FINISHED, 0));
                    } else {
                        long count = upload.commit();
                        int pages = frontier.size(batch);
                        BatchOutcome outcome = frontier.complete(batch, worker, discovered, clock.instant());
                        if (outcome == BatchOutcome.COMPLETED) {
                            metrics.batchCompleted(job, pages, count);
                            metrics.uploaded(job, "items", itemBytes);
                        }
                        killPoints.reach(KillPoint.ITEMS_COMMITTED);
                        drainedFrontiers.reconcileIfDrained(job, frontier);
                        responses.onNext(report(outcome, count));
                    }
                    responses.onCompleted();
                } catch (StatusException refused) {
                    upload.discard();
                    responses.onError(refused);
                } catch (io.kubecrawl.operator.items.InvalidItemsException invalid) {
                    responses.onError(Status.INVALID_ARGUMENT.withDescription("items of batch " + batch
                            + " refused: " + invalid.getMessage()).asException());
                }
            }

            private void fail(Status status) {
                if (upload != null) {
                    upload.discard();
                }
                responses.onError(status.asException());
            }
        };
    }

    @Override
    @Blocking
    public StreamObserver<LogLines> uploadLogs(StreamObserver<LogsReceipt> responses) {
        CrawlJobName job = AuthenticatedJob.current().name();
        return new StreamObserver<>() {
            private long lines;

            @Override
            public void onNext(LogLines message) {
                if (!WorkerName.isValid(message.getWorker())) {
                    responses.onError(Status.INVALID_ARGUMENT.withDescription("not a worker name: "
                            + message.getWorker()).asException());
                    return;
                }
                StringBuilder text = new StringBuilder();
                for (LogLine line : message.getLinesList()) {
                    text.append(line.getText()).append('\n');
                }
                if (!text.isEmpty()) {
                    logs.append(job, message.getWorker(), text.toString());
                    metrics.uploaded(job, "logs", text.length());
                    lines += message.getLinesCount();
                }
                if (message.getLast()) {
                    logs.finish(job, message.getWorker());
                }
            }

            @Override
            public void onError(Throwable broken) {
                LOG.debugf("Log stream of a worker of %s broke: %s", job, broken.getMessage());
            }

            @Override
            public void onCompleted() {
                responses.onNext(LogsReceipt.newBuilder().setLines(lines).build());
                responses.onCompleted();
            }
        };
    }

    /**
     * The job's frontier, or empty once the job has finished (Succeeded or Failed): reports on a finished job get a
     * definite answer at once. UNAVAILABLE, which workers retry, only while the frontier is being rebuilt.
     */
    private Optional<Frontier> frontierUnlessFinished(CrawlJobName job) throws StatusException {
        if (frontiers.isFinished(job)) {
            return Optional.empty();
        }
        return Optional.of(frontierOf(job));
    }

    private Frontier frontierOf(CrawlJobName job) throws StatusException {
        return frontiers.find(job).orElseThrow(() -> Status.UNAVAILABLE.withDescription("the frontier of CrawlJob "
                + job + " is not ready yet; retry").asException());
    }

    private static String worker(String worker) throws StatusException {
        if (!WorkerName.isValid(worker)) {
            throw Status.INVALID_ARGUMENT.withDescription("not a worker name: '" + worker + "'").asException();
        }
        return worker;
    }

    private static BatchReport report(BatchOutcome outcome, long count) {
        BatchReport.Outcome wire = switch (outcome) {
            case COMPLETED -> BatchReport.Outcome.COMPLETED;
            case ALREADY_FINISHED, UNKNOWN_BATCH -> BatchReport.Outcome.ALREADY_FINISHED;
            case RETRYING -> BatchReport.Outcome.RETRYING;
            case GAVE_UP -> BatchReport.Outcome.GAVE_UP;
        };
        return BatchReport.newBuilder().setOutcome(wire).setItems(count).build();
    }

    static BatchRef ref(BatchId batch) {
        return BatchRef.newBuilder().setSlot(batch.slot()).setNumber(batch.number()).build();
    }

    static BatchId batch(BatchRef ref) {
        return new BatchId(ref.getSlot(), ref.getNumber());
    }
}
