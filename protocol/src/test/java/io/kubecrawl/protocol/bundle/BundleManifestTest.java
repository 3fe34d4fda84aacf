package io.kubecrawl.protocol.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.kubecrawl.protocol.v1.FileEntry;
import io.kubecrawl.protocol.v1.Manifest;
import org.junit.jupiter.api.Test;

class BundleManifestTest {

    // sha256sum of "hello\n", of nothing, and of "#!/bin/sh\n".
    private static final String HELLO = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String SHEBANG = "a8076d3d28d21e02012b20eaf7dbf75409a6277134439025f282e368e3305abf";

    private static final BundleFile HELLO_TXT = new BundleFile("hello.txt", 0644, 6, HELLO);
    private static final BundleFile EMPTY_FILE = new BundleFile("empty", 0644, 0, EMPTY);
    private static final BundleFile RUN_SH = new BundleFile("bin/run.sh", 0755, 10, SHEBANG);

    @Test
    void canonicalFormIsOneLinePerFileSortedByPath() {
        BundleManifest manifest = new BundleManifest(List.of(HELLO_TXT, EMPTY_FILE, RUN_SH));

        assertThat(new String(manifest.canonicalForm(), StandardCharsets.UTF_8)).isEqualTo(
                SHEBANG + " 0755 10 bin/run.sh\n"
                        + EMPTY + " 0644 0 empty\n"
                        + HELLO + " 0644 6 hello.txt\n");
    }

    @Test
    void digestIsTheKnownSha256OfTheCanonicalForm() {
        BundleManifest manifest = new BundleManifest(List.of(HELLO_TXT, EMPTY_FILE, RUN_SH));

        // Computed outside Java: printf '<the three lines above>' | sha256sum
        assertThat(manifest.digest())
                .isEqualTo("sha256:bdcfeacd80e8fb61b50993ecdfb066fb8151d0f594bfda59c1aaebe0542ee751");
        assertThat(Sha256.isDigest(manifest.digest())).isTrue();
    }

    @Test
    void digestDoesNotDependOnTheOrderFilesWereListedIn() {
        BundleManifest one = new BundleManifest(List.of(HELLO_TXT, EMPTY_FILE, RUN_SH));
        BundleManifest other = new BundleManifest(List.of(RUN_SH, HELLO_TXT, EMPTY_FILE));

        assertThat(other.digest()).isEqualTo(one.digest());
        assertThat(other.files()).containsExactly(RUN_SH, EMPTY_FILE, HELLO_TXT);
    }

    @Test
    void digestChangesWithModeSizeContentOrPath() {
        String digest = new BundleManifest(List.of(HELLO_TXT)).digest();

        assertThat(List.of(
                new BundleFile("hello.txt", 0755, 6, HELLO),
                new BundleFile("hello.txt", 0644, 7, HELLO),
                new BundleFile("hello.txt", 0644, 6, EMPTY),
                new BundleFile("hello.md", 0644, 6, HELLO)))
                .extracting(file -> new BundleManifest(List.of(file)).digest())
                .doesNotContain(digest)
                .doesNotHaveDuplicates();
    }

    @Test
    void emptyBundleHasTheDigestOfNothing() {
        assertThat(new BundleManifest(List.of()).digest()).isEqualTo("sha256:" + EMPTY);
    }

    @Test
    void canonicalFormReadsBackToAnEqualManifest() {
        BundleManifest manifest = new BundleManifest(List.of(HELLO_TXT, EMPTY_FILE, RUN_SH,
                new BundleFile("dir with spaces/a b.txt", 0600, 123456789012L, HELLO)));

        BundleManifest read = BundleManifest.fromCanonicalForm(manifest.canonicalForm());

        assertThat(read).isEqualTo(manifest);
        assertThat(read.digest()).isEqualTo(manifest.digest());
    }

    @Test
    void nonCanonicalTextIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 6 hello.txt\n" + SHEBANG + " 0755 10 bin/run.sh\n").getBytes(StandardCharsets.UTF_8)))
                .withMessageContaining("canonical");
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 644 6 hello.txt\n").getBytes(StandardCharsets.UTF_8)));
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 6 hello.txt").getBytes(StandardCharsets.UTF_8)));
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 6 ../hello.txt\n").getBytes(StandardCharsets.UTF_8)));
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 06 hello.txt\n").getBytes(StandardCharsets.UTF_8))).withMessageContaining("canonical");
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 +6 hello.txt\n").getBytes(StandardCharsets.UTF_8))).withMessageContaining("canonical");
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 6 hello.txt\n\n").getBytes(StandardCharsets.UTF_8))).withMessageContaining("fields");
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromCanonicalForm(
                (HELLO + " 0644 6 hello.txt\n" + HELLO + " 0644 6 hello.txt\n").getBytes(StandardCharsets.UTF_8)))
                .withMessageContaining("more than once");
    }

    @Test
    void protoRoundTripKeepsEveryFieldAndTheDigest() {
        BundleManifest manifest = new BundleManifest(List.of(HELLO_TXT, RUN_SH));

        Manifest proto = manifest.toProto();

        assertThat(proto.getDigest()).isEqualTo(manifest.digest());
        assertThat(proto.getFiles(0)).isEqualTo(FileEntry.newBuilder()
                .setPath("bin/run.sh").setMode(0755).setSize(10).setSha256(SHEBANG).build());
        assertThat(BundleManifest.fromProto(proto)).isEqualTo(manifest);
    }

    @Test
    void protoWithAWrongDigestOrAnUnsafePathIsRefused() {
        Manifest tampered = new BundleManifest(List.of(HELLO_TXT)).toProto().toBuilder()
                .setFiles(0, FileEntry.newBuilder().setPath("hello.txt").setMode(0644).setSize(6).setSha256(EMPTY))
                .build();
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromProto(tampered))
                .withMessageContaining("claims digest");

        Manifest escaping = Manifest.newBuilder().addFiles(FileEntry.newBuilder()
                .setPath("../../etc/cron.d/x").setMode(0644).setSize(6).setSha256(HELLO)).build();
        assertThatIllegalArgumentException().isThrownBy(() -> BundleManifest.fromProto(escaping))
                .withMessageContaining("../../etc/cron.d/x");
    }

    @Test
    void malformedFilesAndDuplicatePathsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new BundleFile("a", 010000, 1, HELLO));
        assertThatIllegalArgumentException().isThrownBy(() -> new BundleFile("a", 0644, -1, HELLO));
        assertThatIllegalArgumentException().isThrownBy(() -> new BundleFile("a", 0644, 1, HELLO.toUpperCase()));
        assertThatIllegalArgumentException().isThrownBy(() -> new BundleFile("/a", 0644, 1, HELLO));
        assertThatIllegalArgumentException().isThrownBy(() -> new BundleManifest(List.of(HELLO_TXT,
                new BundleFile("hello.txt", 0600, 0, EMPTY)))).withMessageContaining("more than once");
    }

    @Test
    void findsAFileByItsContent() {
        BundleManifest manifest = new BundleManifest(List.of(HELLO_TXT, RUN_SH));

        assertThat(manifest.fileWithContent(SHEBANG)).contains(RUN_SH);
        assertThat(manifest.fileWithContent(EMPTY)).isEmpty();
        assertThat(manifest.totalBytes()).isEqualTo(16);
    }

    @Test
    void modeIsWrittenAsFormatWouldWriteIt() {
        for (int mode = 0; mode <= BundleFile.MAX_MODE; mode++) {
            assertThat(BundleManifest.octalMode(mode)).as("mode %d", mode).isEqualTo(String.format("%04o", mode));
        }
    }
}
