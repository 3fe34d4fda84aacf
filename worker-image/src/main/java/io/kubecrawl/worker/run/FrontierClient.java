package io.kubecrawl.worker.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.RetryableCodes;
import io.kubecrawl.protocol.v1.Batch;
import io.kubecrawl.protocol.v1.BatchRef;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.CompleteBatchHeader;
import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.FailBatchRequest;
import io.kubecrawl.protocol.v1.FrontierServiceGrpc;
import io.kubecrawl.protocol.v1.LeaseReply;
import io.kubecrawl.protocol.v1.LeaseRequest;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;
import io.kubecrawl.protocol.v1.RenewRequest;
import io.kubecrawl.worker.OperatorChannel;
import io.kubecrawl.worker.UntrustedOperatorCertificate;

/**
 * The operator's FrontierService as the agent uses it: one channel, the worker credentials on every call, a deadline
 * on each, and retries of the calls that must get through (Lease, CompleteBatch, FailBatch) with exponential backoff
 * and jitter for as long as {@code --max-wait}. A failure another attempt cannot cure (bad credentials, a refused
 * request) ends the call at once.
 */
public final class FrontierClient implements AutoCloseable {
    /** The largest items chunk sent in one CompleteBatch message. */
    static final int ITEMS_CHUNK_BYTES = 256 * 1024;
    /** A whole items upload: generous, since the file may be large; it only stops a stream that hangs. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

    /** Told of each retry, for the agent's log. */
    @FunctionalInterface
    public interface RetryListener {
        void retrying(String call, Throwable failure, int attempt, Duration delay);
    }

    private final OperatorChannel channel;
    private final FrontierServiceGrpc.FrontierServiceBlockingStub blocking;
    private final FrontierServiceGrpc.FrontierServiceStub async;
    private final RunSettings settings;
    private final RetryListener retries;

    private FrontierClient(OperatorChannel channel, RunSettings settings, RetryListener retries) {
        this.channel = channel;
        this.blocking = FrontierServiceGrpc.newBlockingStub(channel.channel());
        this.async = FrontierServiceGrpc.newStub(channel.channel());
        this.settings = settings;
        this.retries = retries;
    }

    /** A client of the operator the settings name. Connects lazily; plaintext HTTP/2 inside the cluster network. */
    public static FrontierClient connect(RunSettings settings, RetryListener retries) {
        return new FrontierClient(OperatorChannel.open(settings.connection(), builder -> builder), settings, retries);
    }

    /** Lease: a batch, a wait, or the end. */
    LeaseReply lease() throws FrontierCallException, InterruptedException {
        LeaseRequest request = LeaseRequest.newBuilder().setWorker(settings.worker()).build();
        return retrying("Lease", () -> blocking.withDeadlineAfter(callTimeoutMillis(), TimeUnit.MILLISECONDS)
                .lease(request));
    }

    /**
     * One Renew of one batch's lease, not retried: the renewer tries again at its next tick anyway.
     *
     * @return whether the operator still holds the batch for this worker
     * @throws StatusRuntimeException when the call fails
     */
    boolean renew(BatchRef batch, Duration deadline) {
        RenewRequest request = RenewRequest.newBuilder().setWorker(settings.worker()).addBatches(batch).build();
        return blocking.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).renew(request).getHeldList()
                .contains(batch);
    }

    /**
     * CompleteBatch: the header, then the items file in chunks of at most {@value #ITEMS_CHUNK_BYTES} bytes, then the
     * requests of the discovered requests file (if any) in {@code DiscoveredRequests} parts (see
     * {@link DiscoveredRequestsFile}), each read from disk as the stream can take it; the operator commits items and
     * requests together when the stream ends well. A retry sends both files again; the operator keeps nothing of a
     * broken stream.
     *
     * @param discovered the discovered requests file, or null when the spider's requests stay in its process
     * @throws IOException if a file cannot be read
     * @throws DiscoveredRequestsFile.Malformed if a line of the discovered requests file is not a request: the stream
     *     is cancelled, so the operator keeps nothing of it
     */
    BatchReport complete(Batch batch, Path items, Path discovered)
            throws FrontierCallException, IOException, DiscoveredRequestsFile.Malformed, InterruptedException {
        CompleteBatchPart header = CompleteBatchPart.newBuilder().setHeader(CompleteBatchHeader.newBuilder()
                .setWorker(settings.worker()).setBatch(batch.getRef()).setAttempt(batch.getAttempt())).build();
        try {
            return retrying("CompleteBatch", () -> uploadOnce(header, items, discovered));
        } catch (UncheckedIOException unreadable) {
            throw unreadable.getCause();
        } catch (MalformedDiscovered malformed) {
            throw malformed.getCause();
        }
    }

    private BatchReport uploadOnce(CompleteBatchPart header, Path items, Path discovered)
            throws InterruptedException {
        ReadyGatedStream<CompleteBatchPart, BatchReport> upload = new ReadyGatedStream<>(
                Status.INTERNAL.withDescription("CompleteBatch ended without a report"));
        async.withDeadlineAfter(UPLOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).completeBatch(upload);
        try (InputStream in = Files.newInputStream(items)) {
            // The operator may answer before it has everything (a batch done already): the rest is not sent.
            boolean open = upload.send(header);
            byte[] chunk = new byte[ITEMS_CHUNK_BYTES];
            int read;
            while (open && (read = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                open = upload.send(CompleteBatchPart.newBuilder().setItems(ByteString.copyFrom(chunk, 0, read))
                        .build());
            }
        } catch (IOException unreadable) {
            upload.cancel("the worker cannot read its items file", unreadable);
            // Unchecked, so that the retry policy passes it through untouched: a local file error is not retried.
            throw new UncheckedIOException(unreadable);
        } catch (InterruptedException | RuntimeException failed) {
            upload.cancel("the worker stopped the upload", failed);
            throw failed;
        }
        if (discovered != null) {
            sendDiscovered(upload, discovered);
        }
        return upload.finish();
    }

    private static void sendDiscovered(ReadyGatedStream<CompleteBatchPart, BatchReport> upload, Path discovered)
            throws InterruptedException {
        try {
            DiscoveredRequestsFile.send(discovered,
                    part -> upload.send(CompleteBatchPart.newBuilder().setDiscovered(part).build()));
        } catch (IOException unreadable) {
            upload.cancel("the worker cannot read its discovered requests file", unreadable);
            throw new UncheckedIOException(unreadable);
        } catch (DiscoveredRequestsFile.Malformed malformed) {
            upload.cancel("the worker's discovered requests file is malformed", malformed);
            throw new MalformedDiscovered(malformed);
        } catch (InterruptedException | RuntimeException failed) {
            upload.cancel("the worker stopped the upload", failed);
            throw failed;
        }
    }

    /** Carries a malformed discovered requests file through the retry policy, which passes unchecked ones through. */
    private static final class MalformedDiscovered extends RuntimeException {
        MalformedDiscovered(DiscoveredRequestsFile.Malformed cause) {
            super(cause);
        }

        @Override
        public synchronized DiscoveredRequestsFile.Malformed getCause() {
            return (DiscoveredRequestsFile.Malformed) super.getCause();
        }
    }

    /** FailBatch: the attempt failed with this exit code (-1: the spider could not start) and error text. */
    BatchReport fail(Batch batch, int exitCode, String error) throws FrontierCallException, InterruptedException {
        FailBatchRequest request = FailBatchRequest.newBuilder().setWorker(settings.worker()).setBatch(batch.getRef())
                .setAttempt(batch.getAttempt()).setExitCode(exitCode).setError(error).build();
        return retrying("FailBatch", () -> blocking.withDeadlineAfter(callTimeoutMillis(), TimeUnit.MILLISECONDS)
                .failBatch(request));
    }

    /** Opens an UploadLogs stream, without a deadline: it lasts as long as the agent. */
    StreamObserver<LogLines> uploadLogs(StreamObserver<LogsReceipt> receipt) {
        return async.uploadLogs(receipt);
    }

    /** After a failure, connect again at once rather than after the channel's own (up to two minutes) backoff. */
    void resetConnectBackoff() {
        channel.channel().resetConnectBackoff();
    }

    static boolean isTransient(Throwable failure) {
        return (failure instanceof StatusRuntimeException || failure instanceof StatusException)
                && RetryableCodes.isRetryable(Status.fromThrowable(failure))
                && !UntrustedOperatorCertificate.isUntrusted(failure);
    }

    private <T> T retrying(String call, CheckedSupplier<T> attempt)
            throws FrontierCallException, InterruptedException {
        RetryPolicy<T> policy = RetryPolicy.<T>builder()
                .handleIf(FrontierClient::isTransient)
                .withBackoff(settings.retryDelay(), settings.retryMaxDelay())
                .withJitter(0.25)
                .withMaxAttempts(-1)
                .withMaxDuration(settings.maxWait())
                .onRetryScheduled(event -> retries.retrying(call, event.getLastException(), event.getAttemptCount(),
                        event.getDelay()))
                .onRetry(event -> channel.channel().resetConnectBackoff())
                .build();
        try {
            return Failsafe.with(policy).get(attempt);
        } catch (FailsafeException wrapped) {
            Throwable cause = wrapped.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw FrontierCallException.refused(call, cause == null ? wrapped : cause);
        } catch (StatusRuntimeException failed) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted during " + call);
            }
            throw isTransient(failed) ? FrontierCallException.unreachable(call, failed, settings.maxWait())
                    : FrontierCallException.refused(call, failed);
        }
    }

    private long callTimeoutMillis() {
        return settings.callTimeout().toMillis();
    }

    @Override
    public void close() {
        channel.close();
    }
}
