package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.FileEntry;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.worker.BundleDigest;

/** Which manifests a sync accepts before it writes anything. */
class ManifestCheckTest {
    private static final Path TARGET = Path.of("/workspace");
    private static final String A = "a".repeat(64);

    /** A manifest as a hostile or buggy server could send it: entries as given, digest of their canonical form. */
    private static Manifest manifest(String... paths) {
        List<FileEntry> files = new ArrayList<>();
        for (String path : paths) {
            files.add(FileEntry.newBuilder().setPath(path).setMode(0644).setSize(1).setSha256(A).build());
        }
        files.sort(Comparator.comparing(FileEntry::getPath));
        StringBuilder canonical = new StringBuilder();
        for (FileEntry file : files) {
            canonical.append(file.getSha256()).append(" 0644 1 ").append(file.getPath()).append('\n');
        }
        return Manifest.newBuilder().setDigest("sha256:" + Sha256.hex(canonical.toString()
                .getBytes(StandardCharsets.UTF_8))).addAllFiles(files).build();
    }

    @Test
    void aGoodManifestIsAccepted() throws SyncFailedException {
        Manifest proto = manifest("scrapy.cfg", "crawlab_project/spiders/quotes.py");

        BundleManifest manifest = ManifestCheck.verify(proto, new BundleDigest(proto.getDigest()), TARGET);

        assertThat(manifest.files()).extracting(BundleFile::path)
                .containsExactly("crawlab_project/spiders/quotes.py", "scrapy.cfg");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "../x                  | path '../x' is refused: the path climbs out of the bundle with '..'",
            "/etc/passwd           | path '/etc/passwd' is refused: the path is absolute",
            "a/../../b             | path 'a/../../b' is refused: the path climbs out of the bundle with '..'",
            "a/./b                 | path 'a/./b' is refused: the path holds a '.' segment",
            "a//b                  | path 'a//b' is refused: the path holds an empty segment or a trailing '/'",
            ".kubecrawl/complete   | path '.kubecrawl/complete' is inside .kubecrawl, which the sync keeps",
            "x/.y.kubecrawl-part   | path 'x/.y.kubecrawl-part' has the form of the sync's temporary files",
            "x/.kubecrawl-part-0   | path 'x/.kubecrawl-part-0' has the form of the sync's temporary files"})
    void aPathOutsideTheTargetOrOnTheSyncsOwnNamesRefusesTheWholeManifest(String path, String reason) {
        Manifest proto = manifest("fine.py", path);

        assertThatThrownBy(() -> ManifestCheck.verify(proto, new BundleDigest(proto.getDigest()), TARGET))
                .isInstanceOf(SyncFailedException.class)
                .hasMessageStartingWith("the bundle manifest is refused: " + reason);
    }

    @Test
    void aPathThatIsBothAFileAndADirectoryIsRefused() {
        Manifest proto = manifest("pkg", "pkg/module.py");

        assertThatThrownBy(() -> ManifestCheck.verify(proto, new BundleDigest(proto.getDigest()), TARGET))
                .hasMessage("the bundle manifest is refused: 'pkg' is listed as a file and also as the directory of "
                        + "'pkg/module.py'");
    }

    @Test
    void aManifestOfAnotherBundleIsRefused() {
        Manifest proto = manifest("a.py");
        BundleDigest pinned = new BundleDigest("sha256:" + "0".repeat(64));

        assertThatThrownBy(() -> ManifestCheck.verify(proto, pinned, TARGET))
                .hasMessage("the bundle manifest is refused: it is bundle " + proto.getDigest() + ", not the pinned "
                        + pinned);
    }

    @Test
    void aManifestWhoseDigestDoesNotMatchItsFilesIsRefused() {
        Manifest honest = manifest("a.py");
        Manifest tampered = honest.toBuilder().setFiles(0, honest.getFiles(0).toBuilder().setSize(2)).build();

        assertThatThrownBy(() -> ManifestCheck.verify(tampered, new BundleDigest(honest.getDigest()), TARGET))
                .hasMessageStartingWith("the bundle manifest is refused: manifest claims digest " + honest.getDigest()
                        + " but its files give sha256:");
    }
}
