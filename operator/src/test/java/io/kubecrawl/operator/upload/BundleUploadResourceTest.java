package io.kubecrawl.operator.upload;

import static io.kubecrawl.operator.upload.TestArchives.blockDevice;
import static io.kubecrawl.operator.upload.TestArchives.characterDevice;
import static io.kubecrawl.operator.upload.TestArchives.directory;
import static io.kubecrawl.operator.upload.TestArchives.fifo;
import static io.kubecrawl.operator.upload.TestArchives.file;
import static io.kubecrawl.operator.upload.TestArchives.hardLink;
import static io.kubecrawl.operator.upload.TestArchives.manifestLine;
import static io.kubecrawl.operator.upload.TestArchives.symlink;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.UploadSource;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.bundle.UploadedBundleAnnotation;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upload API end to end: real archives over HTTP into the real bundle store on disk, the Spider in the mock API
 * server pointed at the bundle and reconciled to Ready, and every way an upload can fail leaving nothing visible.
 */
@QuarkusTest
@TestProfile(BundleUploadResourceTest.SmallEntryLimit.class)
@WithKubernetesTestServer(crud = true)
class BundleUploadResourceTest {

    static final int MAX_ENTRIES = 20;
    static final long MAX_UNPACKED_BYTES = 16 << 20;
    static final int MAX_COMPRESSION_RATIO = 50;

    /**
     * Small entry, unpacked-size and compression-ratio limits, so that passing them takes a small archive (and the
     * ratio is passed by far, whatever zlib's level 1 makes of zeros).
     */
    public static class SmallEntryLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kubecrawl.upload.max-entries", String.valueOf(MAX_ENTRIES),
                    "kubecrawl.upload.max-unpacked-bytes", String.valueOf(MAX_UNPACKED_BYTES),
                    "kubecrawl.upload.max-compression-ratio", String.valueOf(MAX_COMPRESSION_RATIO));
        }
    }

    private static final String QUOTES_PY =
            "import scrapy\n\nclass QuotesSpider(scrapy.Spider):\n    name = 'quotes'\n";
    private static final String RUN_SH = "#!/bin/sh\nexec scrapy crawl quotes\n";
    private static final String INIT_PY = "";

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

    MockCluster cluster;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        cluster = new MockCluster(client, server.getKubernetesMockServer());
        ClusterIdentities.install(server.getKubernetesMockServer());
    }

    @Test
    void tarGzBundleIsStoredAndTheSpiderBecomesReadyWithItsDigest() throws Exception {
        uploadSpider("quotes", null);
        byte[] archive = TestArchives.tarGz(
                directory("crawlab_project"),
                directory("crawlab_project/spiders"),
                file("crawlab_project/__init__.py", INIT_PY),
                file("crawlab_project/spiders/quotes.py", QUOTES_PY),
                directory("bin"),
                file("bin/run.sh", RUN_SH, 0755));
        String expected = TestArchives.digestOfLines(
                manifestLine("crawlab_project/__init__.py", 0644, bytes(INIT_PY)),
                manifestLine("crawlab_project/spiders/quotes.py", 0644, bytes(QUOTES_PY)),
                manifestLine("bin/run.sh", 0755, bytes(RUN_SH)));

        HttpResponse<String> response = put("quotes", archive, "application/gzip", ClusterIdentities.ADMIN_TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode result = json.readTree(response.body());
        assertThat(result.path("digest").asText()).isEqualTo(expected);
        assertThat(result.path("files").asInt()).isEqualTo(3);
        assertThat(result.path("bytes").asLong()).isEqualTo(QUOTES_PY.length() + RUN_SH.length());
        assertReadyWith("quotes", expected, 3, QUOTES_PY.length() + RUN_SH.length());
        BundleManifest manifest = store.manifest(expected).orElseThrow();
        assertThat(manifest.files()).extracting(BundleFile::path, BundleFile::mode).containsExactly(
                tuple("bin/run.sh", 0755),
                tuple("crawlab_project/__init__.py", 0644),
                tuple("crawlab_project/spiders/quotes.py", 0644));
        for (BundleFile file : manifest.files()) {
            try (InputStream stored = store.open(file.sha256())) {
                assertThat(TestArchives.sha256(stored.readAllBytes())).isEqualTo(file.sha256());
            }
        }
        assertThat(annotation("quotes")).isEqualTo(expected);
    }

    @Test
    void zipBundleIsStoredWithItsUnixModesLikewise() throws Exception {
        uploadSpider("zipped", null);
        byte[] archive = TestArchives.zip(
                directory("crawlab_project/spiders"),
                file("crawlab_project/spiders/quotes.py", QUOTES_PY),
                file("bin/run.sh", RUN_SH, 0755));
        String expected = TestArchives.digestOfLines(
                manifestLine("crawlab_project/spiders/quotes.py", 0644, bytes(QUOTES_PY)),
                manifestLine("bin/run.sh", 0755, bytes(RUN_SH)));

        HttpResponse<String> response = put("zipped", archive, "application/zip", ClusterIdentities.ADMIN_TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).path("digest").asText()).isEqualTo(expected);
        assertReadyWith("zipped", expected, 2, QUOTES_PY.length() + RUN_SH.length());
        assertThat(store.manifest(expected).orElseThrow().files()).extracting(BundleFile::path, BundleFile::mode)
                .containsExactly(tuple("bin/run.sh", 0755), tuple("crawlab_project/spiders/quotes.py", 0644));
        assertNothingInFlight();
    }

    @Test
    void theFormatComesFromTheBytesNotTheContentType() throws Exception {
        uploadSpider("sniffed", null);
        byte[] archive = TestArchives.tarGz(file("quotes.py", QUOTES_PY));

        HttpResponse<String> response = put("sniffed", archive, "application/octet-stream",
                ClusterIdentities.ADMIN_TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        HttpResponse<String> text = put("sniffed", bytes("just text"), "application/gzip",
                ClusterIdentities.ADMIN_TOKEN);
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(text.body()).contains("neither a .tar.gz nor a .zip");
    }

    @Test
    void aLaterUploadReplacesTheBundle() throws Exception {
        uploadSpider("replaced", null);
        String first = digestOf(put("replaced", TestArchives.tarGz(file("v.py", "1")), "application/gzip",
                ClusterIdentities.ADMIN_TOKEN));
        assertReadyWith("replaced", first, 1, 1);

        String second = digestOf(put("replaced", TestArchives.tarGz(file("v.py", "22")), "application/gzip",
                ClusterIdentities.ADMIN_TOKEN));

        assertThat(second).isNotEqualTo(first);
        assertReadyWith("replaced", second, 1, 2);
    }

    static Stream<Arguments> badArchives() {
        List<TestArchives.Entry> tooMany = new ArrayList<>();
        IntStream.range(0, MAX_ENTRIES + 5).forEach(i -> tooMany.add(file("f" + i + ".py", "x")));
        // Under the compression ratio: megabytes sent that would unpack past the unpacked limit.
        int half = (int) MAX_UNPACKED_BYTES / 2;
        TestArchives.Entry[] pastUnpackedLimit = {file("ok.py", "x"),
            file("data-1.bin", TestArchives.fourfoldCompressible(half, 1), 0644),
            file("data-2.bin", TestArchives.fourfoldCompressible(half + 1, 2), 0644), file("after.py", "x")};
        String pastUnpackedLimitMessage = "entry 'data-2.bin' is refused: the archive's files add up to more than "
                + MAX_UNPACKED_BYTES + " bytes when unpacked";
        // Zeros compress a thousandfold (zip) or a few hundredfold (gzip -1): kilobytes sent that unpack to megabytes.
        TestArchives.Entry[] zeros = {file("ok.py", "x"), file("data/zeros.bin", new byte[4 << 20], 0644),
            file("after.py", "x")};
        List<TestArchives.Entry> spider = List.of(file("spider/run.py", "print(1)\n"),
                file("spider/big.bin", TestArchives.randomBytes(1 << 20, 5), 0644));
        byte[] tarGz = TestArchives.tarGz(spider);
        byte[] zip = TestArchives.zip(spider);
        return Stream.of(
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), file("../x", "x")),
                        "entry '../x' is refused: the path climbs out of the bundle with '..'"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("/etc/passwd", "root:x:0:0")),
                        "entry '/etc/passwd' is refused: the path is absolute"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("a/b.py", "x"), file("a/../../b", "x")),
                        "entry 'a/../../b' is refused: the path climbs out of the bundle with '..'"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), symlink("root", "/")),
                        "entry 'root' is refused: it is a symbolic link (to '/')"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), hardLink("shadow", "../../etc/shadow")),
                        "entry 'shadow' is refused: it is a hard link (to '../../etc/shadow')"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("a.py", "1"), file("a.py", "2")),
                        "entry 'a.py' is refused: an earlier entry of the archive has the same path"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), characterDevice("dev/null")),
                        "entry 'dev/null' is refused: it is a character device"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), blockDevice("dev/sda")),
                        "entry 'dev/sda' is refused: it is a block device"),
                Arguments.of("tar.gz", TestArchives.tarGz(file("ok.py", "x"), fifo("pipe")),
                        "entry 'pipe' is refused: it is a FIFO"),
                Arguments.of("tar.gz", TestArchives.tarGz(tooMany), "entry 'f" + MAX_ENTRIES
                        + ".py' is refused: the archive holds more than " + MAX_ENTRIES + " entries"),
                Arguments.of("zip", TestArchives.zip(file("ok.py", "x"), file("../x", "x")),
                        "entry '../x' is refused: the path climbs out of the bundle with '..'"),
                Arguments.of("zip", TestArchives.zip(file("ok.py", "x"), symlink("root", "/")),
                        "entry 'root' is refused: it is a symbolic link"),
                Arguments.of("zip", TestArchives.zip(file("a.py", "1"), file("a.py", "2")),
                        "entry 'a.py' is refused: an earlier entry of the archive has the same path"),
                Arguments.of("zip", TestArchives.zip(file("ok.py", "x"), fifo("pipe")),
                        "entry 'pipe' is refused: it is a FIFO"),
                Arguments.of("zip", TestArchives.zip(tooMany), "entry 'f" + MAX_ENTRIES
                        + ".py' is refused: the archive holds more than " + MAX_ENTRIES + " entries"),
                Arguments.of("tar.gz", TestArchives.tarGz(pastUnpackedLimit), pastUnpackedLimitMessage),
                Arguments.of("zip", TestArchives.zip(pastUnpackedLimit), pastUnpackedLimitMessage),
                Arguments.of("tar.gz", TestArchives.tarGz(zeros), "entry 'data/zeros.bin' is refused: the "
                        + "archive's files unpack to more than " + MAX_COMPRESSION_RATIO + " times the bytes received"),
                Arguments.of("zip", TestArchives.zip(zeros), "entry 'data/zeros.bin' is refused: it unpacks to more "
                        + "than " + MAX_COMPRESSION_RATIO + " times its compressed size"),
                Arguments.of("tar.gz", Arrays.copyOf(tarGz, tarGz.length / 2), "the archive ends inside entry "
                        + "'spider/big.bin' (after "),
                Arguments.of("zip", Arrays.copyOf(zip, zip.length / 2), "no end of central directory record: the body "
                        + "is not a zip archive, or the upload was cut off or the file is truncated"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("badArchives")
    void anArchiveWithABadEntryIsRefusedWholeAndLeavesNothing(String format, byte[] archive, String message)
            throws Exception {
        String name = "bad-" + format.replace(".", "");
        uploadSpider(name, null);
        Set<Path> manifestsBefore = manifests();

        HttpResponse<String> response = put(name, archive, "application/octet-stream", ClusterIdentities.ADMIN_TOKEN);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith(message);
        assertThat(manifests()).isEqualTo(manifestsBefore);
        assertThat(annotation(name)).isNull();
        assertNothingInFlight();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void anArchiveOverTheSpidersLimitIs413AndLeavesNothing(HttpClient.Version version) throws Exception {
        uploadSpider("limited", 64 * 1024L);
        Set<Path> manifestsBefore = manifests();
        byte[] archive = TestArchives.tarGz(file("big.bin", TestArchives.randomBytes(1 << 20, 7), 0644));
        HttpClient client = HttpClient.newBuilder().version(version).build();

        // Streamed without a length, so the limit is found while reading.
        HttpResponse<String> streamed = client.send(request("limited", ClusterIdentities.ADMIN_TOKEN)
                .header("Content-Type", "application/gzip")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(archive)))
                .build(), HttpResponse.BodyHandlers.ofString());
        // Declared too large: refused before the client is told to send the body.
        String declared = rawExchange("PUT /api/v1/namespaces/" + cluster.namespace() + "/spiders/limited/bundle "
                + "HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ClusterIdentities.ADMIN_TOKEN + "\r\n"
                + "Content-Type: application/gzip\r\nExpect: 100-continue\r\nContent-Length: " + archive.length
                + "\r\n\r\n");

        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.body()).startsWith("the archive is larger than 65536 bytes, the most this Spider "
                + "accepts (spec.source.upload.maxBytes, or the operator's limit kubecrawl.upload.max-bytes");
        assertThat(declared).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue")
                .contains("\r\n\r\nthe archive is " + archive.length + " bytes, larger than 65536 bytes");
        assertThat(manifests()).isEqualTo(manifestsBefore);
        assertThat(annotation("limited")).isNull();
        assertNothingInFlight();
    }

    @Test
    void aClientThatExpects100ContinueSendsTheBodyOnlyWhenTold() throws Exception {
        uploadSpider("polite", null);
        byte[] archive = TestArchives.tarGz(file("quotes.py", QUOTES_PY));

        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/v1/namespaces/" + cluster.namespace() + "/spiders/polite/bundle HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + ClusterIdentities.ADMIN_TOKEN + "\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + archive.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 100 Continue");
            out.write(archive);
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 200 OK");
        }
        assertThat(annotation("polite")).startsWith("sha256:");
    }

    /** Reads a response's status line and headers, up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    static Stream<HttpClient.Version> versions() {
        return Stream.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void anUploadCutOffHalfwayLeavesNothing(String format) throws Exception {
        String name = "cut-" + format.replace(".", "");
        uploadSpider(name, null);
        Set<Path> manifestsBefore = manifests();
        List<TestArchives.Entry> entries = List.of(file("first.py", "print(1)\n"),
                file("data/big.bin", TestArchives.randomBytes(8 << 20, 3), 0644), file("last.py", "print(2)\n"));
        byte[] archive = format.equals("zip") ? TestArchives.zip(entries) : TestArchives.tarGz(entries);

        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/v1/namespaces/" + cluster.namespace() + "/spiders/" + name + "/bundle HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + ClusterIdentities.ADMIN_TOKEN + "\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: " + archive.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(archive, 0, archive.length / 2);
            out.flush();
            // The upload is under way: a file is being written to the store (tar.gz) or the spool (zip).
            await().atMost(MockCluster.TIMEOUT).until(() -> !inFlight().isEmpty());
            socket.setSoLinger(true, 0); // Abort: a reset, as a killed client leaves it.
        }

        assertNothingInFlight();
        assertThat(manifests()).isEqualTo(manifestsBefore);
        assertThat(annotation(name)).isNull();
    }

    static Stream<String> formats() {
        return Stream.of("tar.gz", "zip");
    }

    @Test
    void twoConcurrentUploadsEndWithOneOfTheTwoCompleteBundles() throws Exception {
        uploadSpider("raced", null);
        for (int round = 0; round < 3; round++) {
            List<TestArchives.Entry> a = List.of(file("a/spider.py", "a" + round),
                    file("a/data.bin", TestArchives.randomBytes(2 << 20, round), 0644), file("a/run.sh", "a", 0755));
            List<TestArchives.Entry> b = List.of(file("b/spider.py", "b" + round),
                    file("b/data.bin", TestArchives.randomBytes(2 << 20, 100 + round), 0644));

            CompletableFuture<HttpResponse<String>> first = http.sendAsync(request("raced",
                    ClusterIdentities.ADMIN_TOKEN).PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.tarGz(a)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> second = http.sendAsync(request("raced",
                    ClusterIdentities.ADMIN_TOKEN).PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.zip(b)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String digestA = digestOf(first.get());
            String digestB = digestOf(second.get());

            String winner = annotation("raced");
            assertThat(winner).isIn(digestA, digestB);
            List<TestArchives.Entry> expected = winner.equals(digestA) ? a : b;
            Spider spider = cluster.awaitSpider("raced", s -> s.getStatus() != null
                    && s.getStatus().getBundle() != null && winner.equals(s.getStatus().getBundle().getDigest()));
            assertThat(spider.getStatus().condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
            assertThat(store.manifest(winner).orElseThrow().files()).extracting(BundleFile::path, BundleFile::sha256)
                    .containsExactlyInAnyOrderElementsOf(expected.stream()
                            .map(e -> tuple(e.name(), e.contentSha256())).toList());
        }
        assertNothingInFlight();
    }

    @Test
    void callersWithoutATokenOrWithoutRbacAndWrongSpidersAreRefused() throws Exception {
        uploadSpider("guarded", null);
        cluster.configMap("code", Map.of("quotes.py", QUOTES_PY));
        cluster.spider("from-configmap", MockCluster.configMapSource("code"));
        byte[] archive = TestArchives.tarGz(file("quotes.py", QUOTES_PY));

        HttpResponse<String> anonymous = put("guarded", archive, "application/gzip", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(put("guarded", archive, "application/gzip", "not-a-token").statusCode()).isEqualTo(401);
        HttpResponse<String> stranger = put("guarded", archive, "application/gzip", ClusterIdentities.STRANGER_TOKEN);
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(stranger.body()).contains("bob may not update spiders guarded");
        HttpResponse<String> missing = put("nope", archive, "application/gzip", ClusterIdentities.ADMIN_TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("does not exist");
        HttpResponse<String> configMapSourced = put("from-configmap", archive, "application/gzip",
                ClusterIdentities.ADMIN_TOKEN);
        assertThat(configMapSourced.statusCode()).isEqualTo(409);
        assertThat(configMapSourced.body()).contains("from ConfigMap code").contains("spec.source.upload");
        assertThat(annotation("guarded")).isNull();
        assertThat(annotation("from-configmap")).isNull();
        assertNothingInFlight();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void uploadSpider(String name, Long maxBytes) {
        SpiderSource source = new SpiderSource();
        UploadSource upload = new UploadSource();
        upload.setMaxBytes(maxBytes);
        source.setUpload(upload);
        cluster.spider(name, source);
        cluster.awaitSpider(name, s -> s.getStatus() != null);
    }

    private void assertReadyWith(String name, String digest, int files, long bytes) {
        Spider spider = cluster.awaitSpider(name, s -> s.getStatus() != null && s.getStatus().getBundle() != null
                && digest.equals(s.getStatus().getBundle().getDigest()));
        Condition ready = spider.getStatus().condition("Ready").orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("BundleResolved");
        assertThat(spider.getStatus().getBundle().getFiles()).isEqualTo(files);
        assertThat(spider.getStatus().getBundle().getBytes()).isEqualTo(bytes);
    }

    private String annotation(String name) {
        Spider spider = cluster.client().resources(Spider.class).inNamespace(cluster.namespace()).withName(name).get();
        return UploadedBundleAnnotation.of(spider).orElse(null);
    }

    private String digestOf(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).path("digest").asText();
    }

    private HttpResponse<String> put(String name, byte[] body, String contentType, String token) throws Exception {
        return http.send(request(name, token).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String name, String token) throws Exception {
        URI uri = api.toURI().resolve("api/v1/namespaces/" + cluster.namespace() + "/spiders/" + name + "/bundle");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    /** Sends {@code head} (no body) on a connection of its own and returns all the server answers until it closes. */
    private String rawExchange(String head) throws IOException {
        try (Socket socket = new Socket(api.getHost(), api.getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Set<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of(dataDir, "manifests"))) {
            return Set.copyOf(files.filter(Files::isRegularFile).toList());
        }
    }

    /** Files being written: the store's temporary files and spooled zips. */
    private List<Path> inFlight() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(Path.of(dataDir, "tmp"), Path.of(dataDir, "uploads"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.forEach(files::add);
                }
            }
        }
        return files;
    }

    private void assertNothingInFlight() {
        await().atMost(MockCluster.TIMEOUT).untilAsserted(() -> assertThat(inFlight()).isEmpty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
