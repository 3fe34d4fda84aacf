package io.kubecrawl.operator.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleStoreTest {

    private static final byte[] QUOTES = "import scrapy\n".getBytes(StandardCharsets.UTF_8);
    // sha256sum of "import scrapy\n", computed outside Java.
    private static final String QUOTES_SHA256 = "ff813df414cb90579157bdd7321e87812bf4252d3b86c0e55866bb2bf182e1e2";
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path dataDir;

    BundleStore store;

    @BeforeEach
    void setUp() {
        store = new BundleStore(dataDir, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void storedContentReadsBackUnderItsSha256() throws IOException {
        BlobRef ref = store.write(new ByteArrayInputStream(QUOTES));

        assertThat(ref).isEqualTo(new BlobRef(QUOTES_SHA256, QUOTES.length));
        assertThat(store.contains(ref.sha256())).isTrue();
        assertThat(store.blob(ref.sha256())).contains(ref);
        try (InputStream in = store.open(ref.sha256())) {
            assertThat(in.readAllBytes()).isEqualTo(QUOTES);
        }
        assertThat(dataDir.resolve("blobs/sha256").resolve(ref.sha256().substring(0, 2)).resolve(ref.sha256()))
                .hasBinaryContent(QUOTES);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void sha256IsTheKnownOneOfTheContent() throws IOException {
        assertThat(store.write(new ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8))).sha256())
                .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
        assertThat(store.write(InputStream.nullInputStream()))
                .isEqualTo(new BlobRef("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0));
    }

    @Test
    void streamsLargerThanAnyBufferHashTheWholeStream() throws IOException {
        long size = 8L * 1024 * 1024 + 3;
        var expected = Sha256.newDigest();
        try (InputStream generated = new PatternStream(size)) {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = generated.read(buffer)) > 0) {
                expected.update(buffer, 0, n);
            }
        }

        BlobRef ref = store.write(new PatternStream(size));

        assertThat(ref).isEqualTo(new BlobRef(Sha256.hex(expected), size));
        assertThat(store.blob(ref.sha256())).contains(ref);
    }

    @Test
    void expectedSha256IsChecked() throws IOException {
        assertThat(store.write(new ByteArrayInputStream(QUOTES), Sha256.hex(QUOTES)).size()).isEqualTo(QUOTES.length);

        String other = Sha256.hex(new byte[] {1});
        assertThatThrownBy(() -> store.write(new ByteArrayInputStream("tampered".getBytes(StandardCharsets.UTF_8)),
                other))
                .isInstanceOfSatisfying(ContentMismatchException.class,
                        e -> assertThat(e.expectedSha256()).isEqualTo(other));
        assertThat(blobFiles()).hasSize(1);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void eightWritersOfTheSameContentAtOnceLeaveOneCorrectBlob() throws Exception {
        byte[] content = new byte[256 * 1024];
        new java.util.Random(42).nextBytes(content);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<BlobRef>> tasks = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                tasks.add(() -> {
                    start.await();
                    return store.write(new ByteArrayInputStream(content));
                });
            }
            List<BlobRef> refs = new ArrayList<>();
            for (Future<BlobRef> result : pool.invokeAll(tasks)) {
                refs.add(result.get());
            }

            assertThat(refs).hasSize(writers).containsOnly(new BlobRef(Sha256.hex(content), content.length));
        } finally {
            pool.shutdownNow();
        }
        assertThat(blobFiles()).singleElement().satisfies(blob -> assertThat(blob).hasBinaryContent(content));
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aStreamThatFailsHalfwayLeavesNothing() throws IOException {
        InputStream failing = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent >= 100_000) {
                    throw new IOException("connection reset by the uploader");
                }
                sent++;
                return 'x';
            }
        };

        assertThatThrownBy(() -> store.write(failing)).isInstanceOf(IOException.class)
                .hasMessageContaining("connection reset");
        assertThat(blobFiles()).isEmpty();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void refusesNamesThatAreNotSha256() {
        assertThatIllegalArgumentException().isThrownBy(() -> store.open("../../../etc/passwd"));
        assertThatIllegalArgumentException().isThrownBy(() -> store.contains(QUOTES_SHA256.toUpperCase()));
        assertThatIllegalArgumentException().isThrownBy(() -> store.manifest("sha256:../x"));
    }

    @Test
    void manifestIsStoredInCanonicalFormUnderItsDigest() throws IOException {
        BundleManifest manifest = manifestOf("quotes.py", QUOTES);

        store.putManifest(manifest);
        store.putManifest(manifest);

        String hex = Sha256.hexOf(manifest.digest());
        assertThat(dataDir.resolve("manifests/sha256").resolve(hex.substring(0, 2)).resolve(hex))
                .hasBinaryContent(manifest.canonicalForm());
        assertThat(store.containsManifest(manifest.digest())).isTrue();
        assertThat(store.manifest(manifest.digest())).contains(manifest);
        assertThat(store.manifest("sha256:" + "0".repeat(64))).isEmpty();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void corruptManifestIsAnError() throws IOException {
        BundleManifest manifest = manifestOf("quotes.py", QUOTES);
        store.putManifest(manifest);
        String hex = Sha256.hexOf(manifest.digest());
        Files.writeString(dataDir.resolve("manifests/sha256").resolve(hex.substring(0, 2)).resolve(hex), "garbage\n");

        assertThatThrownBy(() -> store.manifest(manifest.digest())).isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void garbageCollectionKeepsPinnedAndYoungAndDeletesTheRest() throws IOException {
        byte[] shared = bytes("shared by the pinned and the old bundle");
        byte[] pinnedOnly = bytes("only in the pinned bundle");
        byte[] oldOnly = bytes("only in the old bundle");
        byte[] youngOnly = bytes("only in the young bundle");
        byte[] orphanOld = bytes("in no bundle, old");
        byte[] orphanYoung = bytes("in no bundle, being uploaded right now");
        BundleManifest pinned = store(old(), manifestOf("a", shared, "b", pinnedOnly));
        BundleManifest unpinnedOld = store(old(), manifestOf("a", shared, "c", oldOnly));
        BundleManifest unpinnedYoung = store(NOW, manifestOf("d", youngOnly));
        BlobRef orphanOldBlob = writeAt(old(), orphanOld);
        writeAt(NOW, orphanYoung);
        Path staleTemp = Files.writeString(dataDir.resolve("tmp/write-1.part"), "abandoned by a dead writer");
        Files.setLastModifiedTime(staleTemp, FileTime.from(old()));
        Path liveTemp = Files.writeString(dataDir.resolve("tmp/write-2.part"), "being written");

        CollectedGarbage collected = store.collectGarbage(Set.of(pinned.digest()), GRACE);

        assertThat(store.containsManifest(pinned.digest())).isTrue();
        assertThat(store.containsManifest(unpinnedYoung.digest())).isTrue();
        assertThat(store.containsManifest(unpinnedOld.digest())).isFalse();
        assertThat(Stream.of(shared, pinnedOnly, youngOnly, orphanYoung).map(Sha256::hex)).allMatch(store::contains);
        assertThat(Stream.of(oldOnly, orphanOld).map(Sha256::hex)).noneMatch(store::contains);
        assertThat(liveTemp).exists();
        assertThat(staleTemp).doesNotExist();
        assertThat(collected).isEqualTo(new CollectedGarbage(1, 2, oldOnly.length + orphanOldBlob.size(), 1));
    }

    @Test
    void retainingAnOldBlobProtectsItForAnotherGracePeriod() throws IOException {
        BlobRef blob = writeAt(old(), QUOTES);

        assertThat(store.retain(blob.sha256())).isTrue();
        store.collectGarbage(Set.of(), GRACE);

        assertThat(store.contains(blob.sha256())).isTrue();
        assertThat(store.retain(Sha256.hex(new byte[] {7}))).isFalse();
    }

    private BundleManifest store(Instant modified, BundleManifest manifest) throws IOException {
        store.putManifest(manifest);
        String hex = Sha256.hexOf(manifest.digest());
        Files.setLastModifiedTime(dataDir.resolve("manifests/sha256").resolve(hex.substring(0, 2)).resolve(hex),
                FileTime.from(modified));
        return manifest;
    }

    /** A manifest of path/content pairs whose contents are stored with a modification time of {@link #old()}. */
    private BundleManifest manifestOf(Object... pathsAndContents) throws IOException {
        List<BundleFile> files = new ArrayList<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            byte[] content = (byte[]) pathsAndContents[i + 1];
            BlobRef ref = writeAt(old(), content);
            files.add(new BundleFile((String) pathsAndContents[i], 0644, ref.size(), ref.sha256()));
        }
        return new BundleManifest(files);
    }

    private BlobRef writeAt(Instant modified, byte[] content) throws IOException {
        BlobRef ref = store.write(new ByteArrayInputStream(content));
        Files.setLastModifiedTime(dataDir.resolve("blobs/sha256").resolve(ref.sha256().substring(0, 2))
                .resolve(ref.sha256()), FileTime.from(modified));
        return ref;
    }

    private static Instant old() {
        return NOW.minus(GRACE).minusSeconds(60);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> blobFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("tmp"))) {
            return files.toList();
        }
    }

    /** A stream of {@code size} bytes that is never held in memory as a whole. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? (int) (position++ * 31 % 251) : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - position);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = (byte) (position++ * 31 % 251);
            }
            return n;
        }
    }
}
