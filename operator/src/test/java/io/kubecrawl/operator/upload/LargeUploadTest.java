package io.kubecrawl.operator.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.testing.ClusterIdentities;
import io.kubecrawl.operator.testing.MockCluster;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 6 GiB bundle uploads through an operator whose whole JVM (operator, mock API server and this client together)
 * has a 256 MiB heap: the body is streamed from the socket into the bundle store, never held. The archive is
 * generated while it is sent (pseudo-random content, gzip level 0, so neither side spends its time compressing),
 * and nothing of it is ever on disk but the operator's own copy, which the test deletes.
 *
 * <p>Runs only in the surefire execution {@code large-upload} of the operator's pom, which gives it {@code -Xmx256m};
 * the default execution leaves it out by its tag.
 */
@Tag("large-upload")
@QuarkusTest
@TestProfile(LargeUploadTest.LargeUploads.class)
@WithKubernetesTestServer(crud = true)
class LargeUploadTest {

    static final long MAX_HEAP = 256L << 20;
    /** 6 GiB; {@code -Dlarge-upload-test.bytes=...} tries another size by hand. */
    static final long BIG_FILE = Long.getLong("large-upload-test.bytes", 6L << 30);
    static final int CHUNK = 1 << 20;

    /** Operator limits above the archive's size, sent and unpacked. */
    public static class LargeUploads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kubecrawl.upload.max-bytes", String.valueOf(8L << 30),
                    "kubecrawl.upload.max-unpacked-bytes", String.valueOf(8L << 30));
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    BundleStore store;

    @Inject
    ObjectMapper json;

    @TestHTTPResource("/")
    URL api;

    @ConfigProperty(name = "kubecrawl.data-dir")
    String dataDir;

    @Test
    void aSixGibArchiveUploadsThroughA256MibHeap() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("max heap; run by the large-upload execution with -Xmx256m")
                .isLessThanOrEqualTo(MAX_HEAP);
        MockCluster cluster = new MockCluster(client, server.getKubernetesMockServer());
        ClusterIdentities.install(server.getKubernetesMockServer());
        SpiderSource source = new SpiderSource();
        source.setUpload(new UploadSource());
        cluster.spider("big", source);
        cluster.awaitSpider("big", s -> s.getStatus() != null);

        // A nonce in the small files too: every content this test stores is its own, so it may delete them all.
        String nonce = UUID.randomUUID().toString();
        Generator generator = new Generator(nonce);
        ChunkPipe pipe = new ChunkPipe();
        System.gc();
        long heapBefore = HeapWatch.used();
        HeapWatch heap = new HeapWatch();
        long started = System.nanoTime();
        CompletableFuture<Void> generating = CompletableFuture.runAsync(() -> {
            try {
                generator.writeTo(pipe.sink());
            } catch (RuntimeException | Error e) {
                pipe.fail(e);
                throw e;
            }
        }, Executors.newSingleThreadExecutor());
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(api + "api/v1/namespaces/" + cluster.namespace()
                                + "/spiders/big/bundle"))
                        .header("Authorization", "Bearer " + ClusterIdentities.ADMIN_TOKEN)
                        .header("Content-Type", "application/gzip")
                        .timeout(Duration.ofMinutes(10))
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(pipe::source)).build(),
                HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - started) / 1e9;
        generating.get(1, TimeUnit.MINUTES);
        long peakHeap = heap.stop();
        System.out.printf("LargeUploadTest: %d bytes of archive (%d of files) in %.1f s: %.1f MB/s; at most %d MiB "
                + "of the %d MiB heap live after a collection (%d MiB in use before the upload)%n",
                generator.archiveBytes.get(), generator.fileBytes, seconds,
                generator.archiveBytes.get() / seconds / 1e6, peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20,
                heapBefore >> 20);

        try {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode result = json.readTree(response.body());
            assertThat(result.path("digest").asText()).isEqualTo(generator.digest());
            assertThat(result.path("files").asInt()).isEqualTo(3);
            assertThat(result.path("bytes").asLong()).isEqualTo(generator.fileBytes);
            assertThat(generator.fileBytes).isGreaterThan(BIG_FILE);
            BundleManifest manifest = store.manifest(generator.digest()).orElseThrow();
            assertThat(manifest.files()).extracting(BundleFile::path).containsExactly("bin/run.sh",
                    "crawlab_project/spiders/quotes.py", "data/corpus.bin");
            cluster.awaitSpider("big", s -> s.getStatus().getBundle() != null
                    && generator.digest().equals(s.getStatus().getBundle().getDigest()));
        } finally {
            deleteWhatTheUploadStored(generator);
        }
    }

    /** The blobs and the manifest: gigabytes that no other test needs. */
    private void deleteWhatTheUploadStored(Generator generator) throws IOException {
        Path root = Path.of(dataDir);
        for (String sha256 : generator.sha256s) {
            Files.deleteIfExists(root.resolve("blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256));
        }
        if (generator.digest != null) {
            String hex = generator.digest.substring("sha256:".length());
            Files.deleteIfExists(root.resolve("manifests/sha256").resolve(hex.substring(0, 2)).resolve(hex));
        }
        await().atMost(MockCluster.TIMEOUT).untilAsserted(() -> {
            try (Stream<Path> temporary = Files.list(root.resolve("tmp"))) {
                assertThat(temporary.toList()).isEmpty();
            }
        });
    }

    /**
     * Writes the archive as it is read: two small files and {@link #BIG_FILE} bytes of pseudo-random data, and
     * computes on the way the digest the operator must answer.
     */
    static final class Generator {

        final String nonce;
        final AtomicLong archiveBytes = new AtomicLong();
        final List<String> sha256s = new ArrayList<>();
        final List<String> manifestLines = new ArrayList<>();
        long fileBytes;
        volatile String digest;

        Generator(String nonce) {
            this.nonce = nonce;
        }

        String digest() {
            return digest;
        }

        void writeTo(OutputStream sink) {
            GzipParameters level0 = new GzipParameters();
            level0.setCompressionLevel(0);
            level0.setBufferSize(1 << 16);
            OutputStream counted = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    sink.write(b);
                    archiveBytes.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    sink.write(b, off, len);
                    archiveBytes.addAndGet(len);
                }

                @Override
                public void close() throws IOException {
                    sink.close();
                }
            };
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                    new BufferedOutputStream(counted, CHUNK), level0))) {
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                small(tar, "crawlab_project/spiders/quotes.py", 0644, "import scrapy  # " + nonce + "\n");
                small(tar, "bin/run.sh", 0755, "#!/bin/sh\n# " + nonce + "\nexec scrapy crawl quotes\n");
                big(tar, "data/corpus.bin", BIG_FILE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            digest = TestArchives.digestOfLines(manifestLines.toArray(String[]::new));
        }

        private void small(TarArchiveOutputStream tar, String path, int mode, String text) throws IOException {
            byte[] content = text.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(path);
            entry.setMode(mode);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            record(path, mode, content.length, TestArchives.sha256(content));
        }

        private void big(TarArchiveOutputStream tar, String path, long size) throws IOException {
            TarArchiveEntry entry = new TarArchiveEntry(path);
            entry.setMode(0644);
            entry.setSize(size);
            tar.putArchiveEntry(entry);
            MessageDigest sha256 = sha256();
            byte[] chunk = new byte[CHUNK];
            LongBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
            long state = nonce.hashCode() | 1L;
            for (long written = 0; written < size; written += CHUNK) {
                longs.clear();
                while (longs.hasRemaining()) {
                    // xorshift64*: fast, and incompressible enough for deflate.
                    state ^= state >>> 12;
                    state ^= state << 25;
                    state ^= state >>> 27;
                    longs.put(state * 0x2545F4914F6CDD1DL);
                }
                int length = (int) Math.min(CHUNK, size - written);
                sha256.update(chunk, 0, length);
                tar.write(chunk, 0, length);
            }
            tar.closeArchiveEntry();
            record(path, 0644, size, HexFormat.of().formatHex(sha256.digest()));
        }

        private void record(String path, int mode, long size, String sha256) {
            sha256s.add(sha256);
            fileBytes += size;
            manifestLines.add(sha256 + " " + String.format("%04o", mode) + " " + size + " " + path + "\n");
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The most heap still in use just after a garbage collection, sampled every 100 ms while the upload runs: what
     * the upload really holds, as opposed to garbage not yet collected.
     */
    static final class HeapWatch {

        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final AtomicLong peak = new AtomicLong();

        HeapWatch() {
            sampler.scheduleAtFixedRate(() -> {
                long live = ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null)
                        .mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
                peak.accumulateAndGet(live, Math::max);
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        static long used() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        long stop() {
            sampler.shutdownNow();
            return peak.get();
        }
    }
}
