package io.kubecrawl.operator.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.kubecrawl.operator.bundle.BundleGarbageCollector;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.operator.testing.WorkerChannelTest;
import io.kubecrawl.operator.testing.WorkerClient;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.BundleServiceGrpc.BundleServiceBlockingStub;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.FileEntry;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.Test;

/** A real grpc-java client on loopback against the operator's Bundle service, with jobs run by the operator. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class BundleGrpcServiceTest extends WorkerChannelTest {

    private static final String QUOTES_PY = "import scrapy\n\nclass QuotesSpider(scrapy.Spider):\n    name = 'quotes'\n";
    /**
     * Small: the mock API server stops a ConfigMap watch for good after an event of about a megabyte, and real
     * ConfigMaps hold at most 1 MiB anyway. Large files in many chunks are {@link BundleServiceOnLoopbackTest}'s.
     */
    private static final String SEEDS = "http://quotes.test/page/1/\n".repeat(200);

    @Inject
    BundleStore store;

    @Inject
    BundleGarbageCollector garbageCollector;

    @Test
    void manifestIsTheBundleTheJobPinned() {
        RunningJob job = runningJob("crawl", "quotes", Map.of("quotes.py", QUOTES_PY, "seeds.txt", SEEDS));

        Manifest manifest = stub(job).getManifest(GetManifestRequest.getDefaultInstance());

        assertThat(manifest.getDigest()).isEqualTo(job.digest());
        assertThat(BundleManifest.fromProto(manifest).digest()).isEqualTo(job.digest());
        assertThat(manifest.getFilesList()).extracting(FileEntry::getPath, FileEntry::getSize, FileEntry::getMode)
                .containsExactly(
                        tuple("quotes.py", (long) QUOTES_PY.length(), 0644),
                        tuple("seeds.txt", (long) SEEDS.length(), 0644));
        assertThat(stub(job).getManifest(GetManifestRequest.newBuilder().setBundleDigest(job.digest()).build()))
                .isEqualTo(manifest);
    }

    @Test
    void fileBytesAndSha256MatchTheManifest() {
        RunningJob job = runningJob("crawl", "quotes", Map.of("quotes.py", QUOTES_PY, "seeds.txt", SEEDS));
        FileEntry seeds = file(job, "seeds.txt");

        List<FileChunk> chunks = readFile(stub(job), ReadFileRequest.newBuilder()
                .setBundleDigest(job.digest()).setSha256(seeds.getSha256()).build());

        byte[] bytes = concat(chunks);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(SEEDS);
        assertThat(Sha256.hex(bytes)).isEqualTo(seeds.getSha256());
        assertThat(chunks).extracting(FileChunk::getOffset).containsExactly(0L);
        assertThat(concat(readFile(stub(job), ReadFileRequest.newBuilder()
                .setSha256(file(job, "quotes.py").getSha256()).build())))
                .asString(StandardCharsets.UTF_8).isEqualTo(QUOTES_PY);
    }

    @Test
    void readingFromAnOffsetReturnsTheTail() {
        RunningJob job = runningJob("crawl", "quotes", Map.of("quotes.py", QUOTES_PY));
        FileEntry quotes = file(job, "quotes.py");

        List<FileChunk> tail = readFile(stub(job), ReadFileRequest.newBuilder()
                .setBundleDigest(job.digest()).setSha256(quotes.getSha256()).setOffset(7).build());

        assertThat(tail.get(0).getOffset()).isEqualTo(7);
        assertThat(concat(tail)).asString(StandardCharsets.UTF_8).isEqualTo(QUOTES_PY.substring(7));
        assertThat(readFile(stub(job), ReadFileRequest.newBuilder().setSha256(quotes.getSha256())
                .setOffset(quotes.getSize()).build())).as("nothing left to read").isEmpty();
        assertThatThrownBy(() -> readFile(stub(job), ReadFileRequest.newBuilder().setSha256(quotes.getSha256())
                .setOffset(quotes.getSize() + 1).build()))
                .satisfies(refusedWith(Status.Code.OUT_OF_RANGE));
    }

    @Test
    void callsWithoutCredentialsAreUnauthenticated() {
        RunningJob job = runningJob("crawl", "quotes", Map.of("quotes.py", QUOTES_PY));
        BundleServiceBlockingStub anonymous = BundleServiceGrpc.newBlockingStub(channel);
        Metadata tokenOnly = new Metadata();
        tokenOnly.put(WorkerCredentials.AUTHORIZATION, "Bearer " + job.token());

        assertThatThrownBy(() -> anonymous.getManifest(GetManifestRequest.getDefaultInstance()))
                .satisfies(refusedWith(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> readFile(anonymous, ReadFileRequest.newBuilder()
                .setSha256(file(job, "quotes.py").getSha256()).build()))
                .satisfies(refusedWith(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(tokenOnly))
                .getManifest(GetManifestRequest.getDefaultInstance()))
                .satisfies(refusedWith(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void aTokenOpensOnlyItsOwnJob() {
        RunningJob a = runningJob("crawl-a", "quotes", Map.of("quotes.py", QUOTES_PY));
        RunningJob b = runningJob("crawl-b", "books", Map.of("books.py", "import scrapy  # books\n"));
        assertThat(a.digest()).isNotEqualTo(b.digest());

        RunningJob aTokenForB = new RunningJob(b.name(), a.token(), b.digest());
        assertThatThrownBy(() -> stub(aTokenForB).getManifest(GetManifestRequest.getDefaultInstance()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
        RunningJob wrongToken = new RunningJob(a.name(), "not-the-token", a.digest());
        assertThatThrownBy(() -> stub(wrongToken).getManifest(GetManifestRequest.getDefaultInstance()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
        RunningJob unknownJob = new RunningJob(new CrawlJobName(cluster.namespace(), "nope"), a.token(), a.digest());
        assertThatThrownBy(() -> stub(unknownJob).getManifest(GetManifestRequest.getDefaultInstance()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void aTokenOpensOnlyItsJobsBundleAndFiles() {
        RunningJob a = runningJob("crawl-a", "quotes", Map.of("quotes.py", QUOTES_PY));
        RunningJob b = runningJob("crawl-b", "books", Map.of("books.py", "import scrapy  # books\n"));
        String bFile = file(b, "books.py").getSha256();

        assertThatThrownBy(() -> stub(a).getManifest(GetManifestRequest.newBuilder()
                .setBundleDigest(b.digest()).build()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> readFile(stub(a), ReadFileRequest.newBuilder()
                .setBundleDigest(b.digest()).setSha256(bFile).build()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> readFile(stub(a), ReadFileRequest.newBuilder()
                .setBundleDigest(a.digest()).setSha256(bFile).build()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> readFile(stub(a), ReadFileRequest.newBuilder()
                .setSha256("../../../etc/passwd").build()))
                .satisfies(refusedWith(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void garbageCollectionKeepsTheBundleOfARunningJob() throws Exception {
        RunningJob job = runningJob("crawl", "quotes", Map.of("quotes.py", QUOTES_PY));

        garbageCollector.collect();

        assertThat(store.manifest(job.digest())).isPresent();
        assertThat(stub(job).getManifest(GetManifestRequest.getDefaultInstance()).getDigest()).isEqualTo(job.digest());
    }

    private record RunningJob(CrawlJobName name, String token, String digest) {
    }

    /** A Spider from a ConfigMap of {@code files} and a CrawlJob of it, once the operator has pinned its bundle. */
    private RunningJob runningJob(String name, String spider, Map<String, String> files) {
        cluster.configMap(spider + "-code", files);
        cluster.spider(spider, MockCluster.configMapSource(spider + "-code"));
        String digest = cluster.awaitSpider(spider, s -> s.getStatus() != null && s.getStatus().getBundle() != null)
                .getStatus().getBundle().getDigest();
        cluster.crawlJob(name, spider, 1);
        cluster.awaitCrawlJob(name, c -> c.getStatus() != null && digest.equals(c.getStatus().getBundleDigest()));
        Secret secret = cluster.awaitSecret(name + "-worker-token");
        String token = WorkerClient.token(secret);
        return new RunningJob(new CrawlJobName(cluster.namespace(), name), token, digest);
    }

    private BundleServiceBlockingStub stub(RunningJob job) {
        return BundleServiceGrpc.newBlockingStub(channel).withCallCredentials(new WorkerCredentials(job.name(),
                job.token())).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private FileEntry file(RunningJob job, String path) {
        return stub(job).getManifest(GetManifestRequest.getDefaultInstance()).getFilesList().stream()
                .filter(f -> f.getPath().equals(path)).findFirst().orElseThrow();
    }

    private static List<FileChunk> readFile(BundleServiceBlockingStub stub, ReadFileRequest request) {
        List<FileChunk> chunks = new ArrayList<>();
        for (Iterator<FileChunk> it = stub.readFile(request); it.hasNext();) {
            chunks.add(it.next());
        }
        return chunks;
    }

    private static byte[] concat(List<FileChunk> chunks) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        chunks.forEach(chunk -> bytes.writeBytes(chunk.getData().toByteArray()));
        return bytes.toByteArray();
    }

    private static ThrowingConsumer<Throwable> refusedWith(Status.Code code) {
        return thrown -> assertThat(thrown).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }
}
