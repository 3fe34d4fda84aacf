package io.kubecrawl.operator.testing;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.google.protobuf.ByteString;
import io.fabric8.kubernetes.api.model.Secret;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.CompleteBatchHeader;
import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.FailBatchRequest;
import io.kubecrawl.protocol.v1.FrontierServiceGrpc;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.kubecrawl.protocol.v1.LeaseRequest;
import io.kubecrawl.protocol.v1.LogLine;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;
import io.kubecrawl.protocol.v1.RenewReply;
import io.kubecrawl.protocol.v1.RenewRequest;

/** Plays one worker of a job over the real gRPC endpoint, the way the kubecrawl-worker agent talks to it. */
public final class WorkerClient {

    /** Longest a test may take to drain a frontier through {@link #drain}. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private final String worker;
    private final FrontierServiceGrpc.FrontierServiceBlockingStub blocking;
    private final FrontierServiceGrpc.FrontierServiceStub async;

    public WorkerClient(ManagedChannel channel, CrawlJobName job, String token, String worker) {
        this.worker = worker;
        WorkerCredentials credentials = new WorkerCredentials(job, token);
        this.blocking = FrontierServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials);
        this.async = FrontierServiceGrpc.newStub(channel).withCallCredentials(credentials);
    }

    /** The worker token the operator put in the job's Secret. */
    public static String token(Secret secret) {
        return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    }

    public LeaseReply lease() {
        return blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
                .lease(LeaseRequest.newBuilder().setWorker(worker).build());
    }

    /**
     * Leases until the frontier says it is drained, handing every batch to {@code onBatch}. A frontier that never
     * drains fails the test after {@link #DRAIN_TIMEOUT} instead of keeping it leasing forever.
     */
    public void drain(Consumer<Batch> onBatch) {
        await("the frontier drained, leasing as " + worker).atMost(DRAIN_TIMEOUT).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                    LeaseReply reply = lease();
                    if (reply.hasBatch()) {
                        onBatch.accept(reply.getBatch());
                    }
                    return reply.hasDrained();
                });
    }

    public BatchReport complete(Batch batch, List<String> items) {
        CompletableFuture<BatchReport> report = new CompletableFuture<>();
        StreamObserver<CompleteBatchPart> parts = async.withDeadlineAfter(10, TimeUnit.SECONDS)
                .completeBatch(observer(report));
        parts.onNext(CompleteBatchPart.newBuilder().setHeader(CompleteBatchHeader.newBuilder().setWorker(worker)
                .setBatch(batch.getRef()).setAttempt(batch.getAttempt())).build());
        StringBuilder text = new StringBuilder();
        items.forEach(item -> text.append(item).append('\n'));
        parts.onNext(CompleteBatchPart.newBuilder().setItems(ByteString.copyFromUtf8(text.toString())).build());
        parts.onCompleted();
        return report.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Renews the worker's leases of these batches; the reply names those it still holds. */
    public RenewReply renew(Batch... batches) {
        RenewRequest.Builder request = RenewRequest.newBuilder().setWorker(worker);
        for (Batch batch : batches) {
            request.addBatches(batch.getRef());
        }
        return blocking.withDeadlineAfter(10, TimeUnit.SECONDS).renew(request.build());
    }

    public BatchReport fail(Batch batch, int exitCode, String error) {
        return blocking.withDeadlineAfter(10, TimeUnit.SECONDS).failBatch(FailBatchRequest.newBuilder()
                .setWorker(worker).setBatch(batch.getRef()).setAttempt(batch.getAttempt()).setExitCode(exitCode)
                .setError(error).build());
    }

    public LogsReceipt log(BatchRef batch, boolean last, String... lines) {
        CompletableFuture<LogsReceipt> receipt = new CompletableFuture<>();
        StreamObserver<LogLines> stream = async.withDeadlineAfter(10, TimeUnit.SECONDS).uploadLogs(observer(receipt));
        LogLines.Builder message = LogLines.newBuilder().setWorker(worker).setLast(last);
        for (String line : lines) {
            message.addLines(LogLine.newBuilder().setSource(LogLine.Source.STDOUT).setBatch(batch).setText(line));
        }
        stream.onNext(message.build());
        stream.onCompleted();
        return receipt.orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable error) {
                result.completeExceptionally(error);
            }

            @Override
            public void onCompleted() {
                result.completeExceptionally(new IllegalStateException("the call ended without a reply"));
            }
        };
    }
}
