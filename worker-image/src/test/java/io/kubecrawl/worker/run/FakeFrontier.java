package io.kubecrawl.worker.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
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

/**
 * A grpc-java FrontierService on loopback standing in for the operator: it hands out the batches it was given, one
 * lease each, then answers Drained; it checks the worker credentials as the operator does, and records what the
 * worker sends (leases, renewals, completions with their items, chunk sizes and discovered requests, failures, log
 * lines). Faults on request: a first Wait, lost leases (Renew holds nothing), refused items. On request it also plays
 * a frontier that follows links ({@link #followDiscovered()}).
 */
final class FakeFrontier implements AutoCloseable {
    static final CrawlJobName JOB = new CrawlJobName("crawls", "quotes-1");
    static final String TOKEN = "t0ken-from-secret";
    /** The slot of the batches {@link #followDiscovered()} makes of discovered requests. */
    static final int FOLLOWED_SLOT = 9;

    /**
     * One CompleteBatch stream that ended well.
     *
     * @param parts the kind of every message, in the order received
     * @param discovered the requests of its DiscoveredRequests parts, in order
     * @param discoveredParts how many requests each DiscoveredRequests part held
     * @param discoveredPartBytes the encoded size of each DiscoveredRequests part
     */
    record Completion(String worker, String batch, int attempt, String items, List<Integer> chunkSizes,
            List<CompleteBatchPart.PartCase> parts, List<DiscoveredRequest> discovered, List<Integer> discoveredParts,
            List<Integer> discoveredPartBytes) {
    }

    record Failure(String worker, String batch, int attempt, int exitCode, String error) {
    }

    /** One received log line; {@code batch} is "slot/number", or "" for none. */
    record Line(String worker, LogLine.Source source, String batch, String text) {
    }

    private final Deque<Batch> queued = new ConcurrentLinkedDeque<>();
    private final List<Completion> completions = new CopyOnWriteArrayList<>();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<LogLines> logMessages = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> renewals = new ConcurrentHashMap<>();
    private final AtomicInteger leases = new AtomicInteger();
    private final AtomicInteger logStreams = new AtomicInteger();
    private final AtomicLong firstWaitMillis = new AtomicLong();
    private volatile boolean loseLeases;
    /** What every batch handed out says of the worker's limit; 0 leaves the field unset, as an older operator does. */
    private volatile int maxBatches;
    private volatile boolean refuseItems;
    private final AtomicInteger completeStreams = new AtomicInteger();
    private final AtomicInteger discoveredReceived = new AtomicInteger();
    private volatile boolean followDiscovered;
    private final Set<ByteString> fingerprintsSeen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger followedBatches = new AtomicInteger();
    private final Server server;

    private FakeFrontier(int port) throws IOException {
        this(port, null);
    }

    private FakeFrontier(int port, SslContext tls) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), port));
        if (tls != null) {
            builder.sslContext(tls);
        }
        server = builder
                .addService(ServerInterceptors.intercept(new Service(), new Credentials()))
                .build()
                .start();
    }

    /** On a free loopback port. */
    static FakeFrontier start() throws IOException {
        return new FakeFrontier(0);
    }

    /** On a free loopback port, over TLS with {@code tls}, as the operator serves by default. */
    static FakeFrontier startTls(SslContext tls) throws IOException {
        return new FakeFrontier(0, tls);
    }

    int port() {
        return server.getPort();
    }

    /** On this loopback port (an agent was told it before the server was up). */
    static FakeFrontier start(int port) throws IOException {
        return new FakeFrontier(port);
    }

    /** A loopback port nothing listens on, for an operator that is down. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** Queues a batch (attempt 1) to hand out. */
    FakeFrontier batch(int slot, int number, int leaseSeconds, String... requests) {
        return attempt(slot, number, 1, leaseSeconds, requests);
    }

    /** Queues an attempt at a batch, as the operator hands out a batch again once an earlier attempt's lease expired. */
    FakeFrontier attempt(int slot, int number, int attempt, int leaseSeconds, String... requests) {
        queued.add(Batch.newBuilder().setRef(BatchRef.newBuilder().setSlot(slot).setNumber(number))
                .setAttempt(attempt).setLeaseSeconds(leaseSeconds).addAllRequests(List.of(requests)).build());
        return this;
    }

    /** Batches handed out from now on let the worker hold this many at once. */
    FakeFrontier maxBatchesPerWorker(int batches) {
        maxBatches = batches;
        return this;
    }

    /** The first Lease answers Wait for this long. */
    FakeFrontier waitFirst(long millis) {
        firstWaitMillis.set(millis);
        return this;
    }

    /** From now on Renew answers that the worker holds nothing: every lease is lost. */
    void loseLeases(boolean lose) {
        loseLeases = lose;
    }

    /** From now on CompleteBatch refuses the items with INVALID_ARGUMENT, as the operator does for bad JSON lines. */
    void refuseItems(boolean refuse) {
        refuseItems = refuse;
    }

    /**
     * From now on, the requests each completion discovered are deduplicated by fingerprint (unless dont_filter) and
     * handed out together as the next batch of slot {@value #FOLLOWED_SLOT} (numbered from 1), each as its
     * {@code request} string, unchanged, as the operator's frontier does.
     */
    FakeFrontier followDiscovered() {
        followDiscovered = true;
        return this;
    }

    /** CompleteBatch streams opened, whether they ended well or not. */
    int completeStreams() {
        return completeStreams.get();
    }

    /** Discovered requests received in any CompleteBatch stream, including streams that broke or were cancelled. */
    int discoveredReceived() {
        return discoveredReceived.get();
    }

    List<Completion> completions() {
        return List.copyOf(completions);
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    List<LogLines> logMessages() {
        return List.copyOf(logMessages);
    }

    /** Whether a worker sent its final log message. */
    boolean logFinished() {
        return logMessages.stream().anyMatch(LogLines::getLast);
    }

    int renewals(String batch) {
        AtomicInteger count = renewals.get(batch);
        return count == null ? 0 : count.get();
    }

    int leases() {
        return leases.get();
    }

    int logStreams() {
        return logStreams.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static String name(BatchRef ref) {
        return ref.getSlot() + "/" + ref.getNumber();
    }

    private final class Service extends FrontierServiceGrpc.FrontierServiceImplBase {
        @Override
        public void lease(LeaseRequest request, StreamObserver<LeaseReply> responses) {
            leases.incrementAndGet();
            long wait = firstWaitMillis.getAndSet(0);
            LeaseReply reply;
            if (wait > 0) {
                reply = LeaseReply.newBuilder().setWait(Wait.newBuilder().setRetryAfterMillis(wait)).build();
            } else {
                Batch next = queued.poll();
                reply = next == null ? LeaseReply.newBuilder().setDrained(Drained.getDefaultInstance()).build()
                        : LeaseReply.newBuilder().setBatch(next.toBuilder().setMaxBatches(maxBatches)).build();
            }
            responses.onNext(reply);
            responses.onCompleted();
        }

        @Override
        public void renew(RenewRequest request, StreamObserver<RenewReply> responses) {
            request.getBatchesList().forEach(ref ->
                    renewals.computeIfAbsent(name(ref), key -> new AtomicInteger()).incrementAndGet());
            RenewReply.Builder reply = RenewReply.newBuilder();
            if (!loseLeases) {
                reply.addAllHeld(request.getBatchesList());
            }
            responses.onNext(reply.build());
            responses.onCompleted();
        }

        @Override
        public StreamObserver<CompleteBatchPart> completeBatch(StreamObserver<BatchReport> responses) {
            completeStreams.incrementAndGet();
            return new StreamObserver<>() {
                private CompleteBatchPart header;
                private final ByteArrayOutputStream items = new ByteArrayOutputStream();
                private final List<Integer> chunks = new ArrayList<>();
                private final List<CompleteBatchPart.PartCase> parts = new ArrayList<>();
                private final List<DiscoveredRequest> discovered = new ArrayList<>();
                private final List<Integer> discoveredParts = new ArrayList<>();
                private final List<Integer> discoveredPartBytes = new ArrayList<>();

                @Override
                public void onNext(CompleteBatchPart part) {
                    parts.add(part.getPartCase());
                    if (part.hasHeader()) {
                        header = part;
                    } else if (part.hasDiscovered()) {
                        discoveredReceived.addAndGet(part.getDiscovered().getRequestsCount());
                        discovered.addAll(part.getDiscovered().getRequestsList());
                        discoveredParts.add(part.getDiscovered().getRequestsCount());
                        discoveredPartBytes.add(part.getDiscovered().getSerializedSize());
                    } else {
                        chunks.add(part.getItems().size());
                        items.writeBytes(part.getItems().toByteArray());
                    }
                }

                @Override
                public void onError(Throwable broken) {
                    // A broken upload leaves nothing, as with the operator.
                }

                @Override
                public void onCompleted() {
                    if (header == null) {
                        responses.onError(Status.INVALID_ARGUMENT.withDescription("no header").asException());
                        return;
                    }
                    if (refuseItems) {
                        responses.onError(Status.INVALID_ARGUMENT.withDescription("items of batch "
                                + name(header.getHeader().getBatch()) + " refused: line 1 is not a JSON object")
                                .asException());
                        return;
                    }
                    String text = items.toString(StandardCharsets.UTF_8);
                    completions.add(new Completion(header.getHeader().getWorker(),
                            name(header.getHeader().getBatch()), header.getHeader().getAttempt(), text,
                            List.copyOf(chunks), List.copyOf(parts), List.copyOf(discovered),
                            List.copyOf(discoveredParts), List.copyOf(discoveredPartBytes)));
                    if (followDiscovered) {
                        follow(discovered);
                    }
                    long count = text.lines().filter(line -> !line.isBlank()).count();
                    responses.onNext(BatchReport.newBuilder().setOutcome(BatchReport.Outcome.COMPLETED)
                            .setItems(count).build());
                    responses.onCompleted();
                }
            };
        }

        /** Queued before the reply, so that the worker's next lease finds the batch. */
        private void follow(List<DiscoveredRequest> discovered) {
            List<String> next = new ArrayList<>();
            for (DiscoveredRequest request : discovered) {
                if (request.getDontFilter() || fingerprintsSeen.add(request.getFingerprint())) {
                    next.add(request.getRequest());
                }
            }
            if (!next.isEmpty()) {
                batch(FOLLOWED_SLOT, followedBatches.incrementAndGet(), 30, next.toArray(String[]::new));
            }
        }

        @Override
        public void failBatch(FailBatchRequest request, StreamObserver<BatchReport> responses) {
            failures.add(new Failure(request.getWorker(), name(request.getBatch()), request.getAttempt(),
                    request.getExitCode(), request.getError()));
            responses.onNext(BatchReport.newBuilder().setOutcome(BatchReport.Outcome.RETRYING).build());
            responses.onCompleted();
        }

        @Override
        public StreamObserver<LogLines> uploadLogs(StreamObserver<LogsReceipt> responses) {
            logStreams.incrementAndGet();
            return new StreamObserver<>() {
                private long count;

                @Override
                public void onNext(LogLines message) {
                    logMessages.add(message);
                    for (LogLine line : message.getLinesList()) {
                        lines.add(new Line(message.getWorker(), line.getSource(),
                                line.hasBatch() ? name(line.getBatch()) : "", line.getText()));
                    }
                    count += message.getLinesCount();
                }

                @Override
                public void onError(Throwable broken) {
                }

                @Override
                public void onCompleted() {
                    responses.onNext(LogsReceipt.newBuilder().setLines(count).build());
                    responses.onCompleted();
                }
            };
        }
    }

    /** The operator's check: the job's token and the job's name on every call. */
    private static final class Credentials implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next) {
            if (WorkerCredentials.bearerToken(headers).isEmpty() || WorkerCredentials.job(headers).isEmpty()) {
                call.close(Status.UNAUTHENTICATED.withDescription("no worker credentials"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            if (!WorkerCredentials.bearerToken(headers).get().equals(TOKEN)
                    || !WorkerCredentials.job(headers).get().equals(JOB)) {
                call.close(Status.PERMISSION_DENIED.withDescription("not this job's worker token"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }
}
