package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.v1.BatchReport;
import io.kubecrawl.protocol.v1.CompleteBatchPart;
import io.kubecrawl.protocol.v1.FrontierServiceGrpc;
import io.kubecrawl.protocol.v1.LogLines;
import io.kubecrawl.protocol.v1.LogsReceipt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The two ways an operator ends a stream before the worker is done sending, over a real (loopback) transport. */
class ReadyGatedStreamTest {
    private static final Status ENDED = Status.UNAVAILABLE.withDescription("the operator ended the stream");

    private Server server;
    private ManagedChannel channel;
    private FrontierServiceGrpc.FrontierServiceStub stub;

    @BeforeEach
    void start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new EarlyEndings()).build().start();
        channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort())
                .usePlaintext().build();
        stub = FrontierServiceGrpc.newStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void anAnswerBeforeEverythingWasSentStopsTheSendingAndIsTheReply() throws InterruptedException {
        ReadyGatedStream<CompleteBatchPart, BatchReport> upload = new ReadyGatedStream<>(ENDED);
        stub.completeBatch(upload);

        await().atMost(Duration.ofSeconds(10)).until(() -> !upload.send(CompleteBatchPart.getDefaultInstance()));

        assertThat(upload.finish().getOutcome()).as("the operator's answer, not an error")
                .isEqualTo(BatchReport.Outcome.ALREADY_FINISHED);
    }

    @Test
    void aFailedCallFailsTheNextSendWithItsStatus() {
        ReadyGatedStream<LogLines, LogsReceipt> logs = new ReadyGatedStream<>(ENDED);
        stub.uploadLogs(logs);

        await().atMost(Duration.ofSeconds(10)).until(() -> refusedWith(logs, Status.Code.PERMISSION_DENIED));
    }

    private static boolean refusedWith(ReadyGatedStream<LogLines, LogsReceipt> logs, Status.Code code)
            throws InterruptedException {
        try {
            logs.send(LogLines.newBuilder().setWorker("worker-0").build());
            return false;
        } catch (StatusRuntimeException refused) {
            assertThat(refused.getStatus().getCode()).isEqualTo(code);
            return true;
        }
    }

    /**
     * CompleteBatch answers at its first message (as the operator does for a batch done already); UploadLogs refuses
     * the stream at its first message.
     */
    private static final class EarlyEndings extends FrontierServiceGrpc.FrontierServiceImplBase {
        @Override
        public StreamObserver<CompleteBatchPart> completeBatch(StreamObserver<BatchReport> responses) {
            return new Ignoring<>() {
                @Override
                public void onNext(CompleteBatchPart part) {
                    if (!answered) {
                        answered = true;
                        responses.onNext(BatchReport.newBuilder().setOutcome(BatchReport.Outcome.ALREADY_FINISHED)
                                .build());
                        responses.onCompleted();
                    }
                }
            };
        }

        @Override
        public StreamObserver<LogLines> uploadLogs(StreamObserver<LogsReceipt> responses) {
            return new Ignoring<>() {
                @Override
                public void onNext(LogLines lines) {
                    if (!answered) {
                        answered = true;
                        responses.onError(Status.PERMISSION_DENIED.withDescription("not this worker")
                                .asRuntimeException());
                    }
                }

            };
        }
    }

    private abstract static class Ignoring<T> implements StreamObserver<T> {
        boolean answered;

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onCompleted() {
        }
    }
}
