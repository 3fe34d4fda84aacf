package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.operator.bundle.BlobRef;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.crawljob.WorkerTokenSecretFactory;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.FilesChunk;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.kubecrawl.protocol.v1.ReadFilesRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bundle service as grpc-java serves it, without Quarkus: a real client and server on loopback, real files in a
 * temporary directory, and the CrawlJob and token Secret in a mock API server. Here files are large enough to take
 * many chunks, which ConfigMap-sourced bundles in the operator tests cannot be.
 */
@EnableKubernetesMockClient(crud = true)
class BundleServiceOnLoopbackTest {

    private static final String TOKEN = "token-of";

    static KubernetesClient client;

    /** The mock API server lives as long as the class: each test has a namespace of its own. */
    private final String namespace = "t-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dataDir;

    BundleStore store;
    Server server;
    ManagedChannel channel;
    byte[] large;
    BundleManifest manifest;

    @BeforeEach
    void setUp() throws IOException {
        store = new BundleStore(dataDir, Clock.systemUTC());
        large = new byte[2 * FileChunkStreamer.CHUNK_SIZE + 12_345];
        new Random(11).nextBytes(large);
        BlobRef data = store.write(new ByteArrayInputStream(large));
        BlobRef spider = store.write(new ByteArrayInputStream("import scrapy\n".getBytes(StandardCharsets.UTF_8)));
        manifest = new BundleManifest(List.of(new BundleFile("data/pages.bin", 0644, data.size(), data.sha256()),
                new BundleFile("quotes.py", 0644, spider.size(), spider.sha256())));
        store.putManifest(manifest);

        WorkerTokenRegistry tokens = new WorkerTokenRegistry(client, Clock.systemUTC());
        BundleGrpcService service = new BundleGrpcService(new PinnedBundles(client, store), store,
                KillPoints.none(), new JobMetrics(new SimpleMeterRegistry()));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, new WorkerAuthInterceptor(tokens)))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aLargeFileArrivesInConsecutiveChunksOfAtMostOneMebibyte() {
        job("quotes", manifest.digest());

        List<FileChunk> chunks = readAll(request(manifest.digest(), 0));

        assertThat(chunks).extracting(FileChunk::getOffset)
                .containsExactly(0L, (long) FileChunkStreamer.CHUNK_SIZE, 2L * FileChunkStreamer.CHUNK_SIZE);
        assertThat(chunks).allSatisfy(chunk ->
                assertThat(chunk.getData().size()).isLessThanOrEqualTo(FileChunkStreamer.CHUNK_SIZE));
        byte[] received = concat(chunks);
        assertThat(received).isEqualTo(large);
        assertThat(Sha256.hex(received)).isEqualTo(Sha256.hex(large));
    }

    @Test
    void aDownloadResumesInTheMiddleOfAChunk() {
        job("quotes", manifest.digest());
        int offset = FileChunkStreamer.CHUNK_SIZE + 777;

        List<FileChunk> tail = readAll(request(manifest.digest(), offset));

        assertThat(tail.get(0).getOffset()).isEqualTo(offset);
        assertThat(concat(tail)).isEqualTo(Arrays.copyOfRange(large, offset, large.length));
    }

    @Test
    void aClientThatTakesOneChunkAtATimeGetsTheWholeFile() throws Exception {
        job("quotes", manifest.digest());
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();

        BundleServiceGrpc.newStub(channel).withCallCredentials(credentials("quotes"))
                .readFile(request(manifest.digest(), 0), new ClientResponseObserver<ReadFileRequest, FileChunk>() {
                    private ClientCallStreamObserver<ReadFileRequest> call;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<ReadFileRequest> requestStream) {
                        call = requestStream;
                        requestStream.disableAutoRequestWithInitial(1);
                    }

                    @Override
                    public void onNext(FileChunk chunk) {
                        received.writeBytes(chunk.getData().toByteArray());
                        call.request(1);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(received.toByteArray());
                    }
                });

        assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(large);
    }

    @Test
    void aFileMissingFromTheStoreIsNotFound() throws IOException {
        BundleManifest withMissingBlob = new BundleManifest(List.of(
                new BundleFile("gone.py", 0644, 3, Sha256.hex(new byte[] {1, 2, 3}))));
        store.putManifest(withMissingBlob);
        job("quotes", withMissingBlob.digest());

        assertThatThrownBy(() -> readAll(ReadFileRequest.newBuilder()
                .setSha256(withMissingBlob.files().get(0).sha256()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void aJobWithoutAPinnedBundleIsToldToRetryAndAnUnknownBundleIsNotFound() {
        job("quotes", null);
        job("other", "sha256:" + "0".repeat(64));

        assertThatThrownBy(() -> BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials("quotes"))
                .getManifest(GetManifestRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials("other"))
                .getManifest(GetManifestRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void severalFilesArriveWholeInRequestOrderEachTaggedWithItsIndexAndAnEmptyOneAsOneLastMessage()
            throws IOException {
        BlobRef empty = store.write(new ByteArrayInputStream(new byte[0]));
        BundleManifest withEmpty = new BundleManifest(List.of(manifest.files().get(0), manifest.files().get(1),
                new BundleFile("pkg/__init__.py", 0644, 0, empty.sha256())));
        store.putManifest(withEmpty);
        job("quotes", withEmpty.digest());
        String spider = manifest.files().get(1).sha256();
        String data = manifest.files().get(0).sha256();

        List<FilesChunk> chunks = readFiles("quotes", ReadFilesRequest.newBuilder()
                .addSha256(spider).addSha256(empty.sha256()).addSha256(data).addSha256(spider).build());

        assertThat(chunks).extracting(FilesChunk::getIndex).containsExactly(0, 1, 2, 2, 2, 3);
        assertThat(chunks).extracting(FilesChunk::getLast).containsExactly(true, true, false, false, true, true);
        assertThat(chunks).filteredOn(chunk -> chunk.getIndex() == 2).extracting(FilesChunk::getOffset)
                .containsExactly(0L, (long) FileChunkStreamer.CHUNK_SIZE, 2L * FileChunkStreamer.CHUNK_SIZE);
        assertThat(chunks).allSatisfy(chunk ->
                assertThat(chunk.getData().size()).isLessThanOrEqualTo(FileChunkStreamer.CHUNK_SIZE));
        assertThat(contentOf(chunks, 0)).asString(StandardCharsets.UTF_8).isEqualTo("import scrapy\n");
        assertThat(contentOf(chunks, 1)).isEmpty();
        assertThat(contentOf(chunks, 2)).isEqualTo(large);
        assertThat(contentOf(chunks, 3)).asString(StandardCharsets.UTF_8).isEqualTo("import scrapy\n");
    }

    @Test
    void aTokenReadsNoFileOfAnotherJobsBundleInABatchAndNothingIsSent() throws IOException {
        BlobRef other = store.write(new ByteArrayInputStream("job b only\n".getBytes(StandardCharsets.UTF_8)));
        BundleManifest bundleOfB = new BundleManifest(List.of(new BundleFile("b.py", 0644, other.size(),
                other.sha256())));
        store.putManifest(bundleOfB);
        job("quotes", manifest.digest());
        job("job-b", bundleOfB.digest());
        List<FilesChunk> received = new ArrayList<>();

        assertThatThrownBy(() -> BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials("quotes"))
                .withDeadlineAfter(20, TimeUnit.SECONDS).readFiles(ReadFilesRequest.newBuilder()
                        .addSha256(manifest.files().get(1).sha256()).addSha256(other.sha256()).build())
                .forEachRemaining(received::add))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThat(received).as("the request is checked whole before anything is sent").isEmpty();
        assertThat(readFiles("job-b", ReadFilesRequest.newBuilder().addSha256(other.sha256()).build()))
                .as("the file is B's to read").hasSize(1);
    }

    @Test
    void aBatchOfMoreThanAThousandFilesOrOfNoneIsAnInvalidArgument() {
        job("quotes", manifest.digest());
        ReadFilesRequest.Builder tooMany = ReadFilesRequest.newBuilder();
        for (int i = 0; i <= BundleGrpcService.MAX_FILES_PER_READ; i++) {
            tooMany.addSha256(manifest.files().get(1).sha256());
        }
        ReadFilesRequest.Builder thousand = ReadFilesRequest.newBuilder();
        for (int i = 0; i < BundleGrpcService.MAX_FILES_PER_READ; i++) {
            thousand.addSha256(manifest.files().get(1).sha256());
        }

        assertThatThrownBy(() -> readFiles("quotes", tooMany.build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> readFiles("quotes", ReadFilesRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(readFiles("quotes", thousand.build())).as("the limit itself is allowed")
                .hasSize(BundleGrpcService.MAX_FILES_PER_READ);
    }

    private List<FilesChunk> readFiles(String job, ReadFilesRequest request) {
        List<FilesChunk> chunks = new ArrayList<>();
        BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials(job))
                .withDeadlineAfter(20, TimeUnit.SECONDS).readFiles(request).forEachRemaining(chunks::add);
        return chunks;
    }

    private static byte[] contentOf(List<FilesChunk> chunks, int index) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        chunks.stream().filter(chunk -> chunk.getIndex() == index)
                .forEach(chunk -> bytes.writeBytes(chunk.getData().toByteArray()));
        return bytes.toByteArray();
    }

    /** A CrawlJob that pinned {@code digest}, and its token Secret as the operator writes it. */
    private void job(String name, String digest) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(1);
        crawlJob.setSpec(spec);
        CrawlJobStatus status = new CrawlJobStatus();
        status.setBundleDigest(digest);
        crawlJob.setStatus(status);
        CrawlJob created = client.resource(crawlJob).create();
        client.resource(WorkerTokenSecretFactory.build(created, TOKEN + "-" + name, null)).create();
    }

    private WorkerCredentials credentials(String job) {
        return new WorkerCredentials(new CrawlJobName(namespace, job), TOKEN + "-" + job);
    }

    private ReadFileRequest request(String digest, long offset) {
        return ReadFileRequest.newBuilder().setBundleDigest(digest)
                .setSha256(manifest.files().get(0).sha256()).setOffset(offset).build();
    }

    private List<FileChunk> readAll(ReadFileRequest request) {
        List<FileChunk> chunks = new ArrayList<>();
        Iterator<FileChunk> it = BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials("quotes"))
                .withDeadlineAfter(20, TimeUnit.SECONDS).readFile(request);
        it.forEachRemaining(chunks::add);
        return chunks;
    }

    private static byte[] concat(List<FileChunk> chunks) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        chunks.forEach(chunk -> bytes.writeBytes(chunk.getData().toByteArray()));
        return bytes.toByteArray();
    }
}
