package io.kubecrawl.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;

/** The diff between a manifest and what the target holds: a pure function, tested without files. */
class SyncPlanTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    private static BundleManifest manifest(BundleFile... files) {
        return new BundleManifest(List.of(files));
    }

    private static Map<String, LocalEntry> local(LocalEntry... entries) {
        Map<String, LocalEntry> map = new HashMap<>();
        for (LocalEntry entry : entries) {
            map.put(entry.path(), entry);
        }
        return map;
    }

    @Test
    void anEmptyTargetFetchesEverythingLargestFirst() {
        BundleManifest manifest = manifest(new BundleFile("small.py", 0644, 10, A),
                new BundleFile("pkg/big.bin", 0644, 1000, B), new BundleFile("pkg/mid.py", 0755, 100, C));

        SyncPlan plan = SyncPlan.between(manifest, Map.of());

        assertThat(plan.downloads()).extracting(BundleFile::path).containsExactly("pkg/big.bin", "pkg/mid.py",
                "small.py");
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.modeChanges()).isEmpty();
        assertThat(plan.unchanged()).isZero();
        assertThat(plan.bytesToDownload()).isEqualTo(1110);
    }

    @Test
    void aTargetThatHoldsTheBundleNeedsNothing() {
        BundleManifest manifest = manifest(new BundleFile("pkg/spider.py", 0644, 10, A));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.directory("pkg"),
                LocalEntry.file("pkg/spider.py", 10, 0644, A)));

        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.unchanged()).isEqualTo(1);
    }

    @Test
    void changedContentIsFetchedAgainWhetherTheSizeOrOnlyTheHashDiffers() {
        BundleManifest manifest = manifest(new BundleFile("same-size.py", 0644, 10, A),
                new BundleFile("other-size.py", 0644, 10, B), new BundleFile("unknown-hash.py", 0644, 10, C));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.file("same-size.py", 10, 0644, B),
                LocalEntry.file("other-size.py", 11, 0644, null), LocalEntry.file("unknown-hash.py", 10, 0644, null)));

        assertThat(plan.downloads()).extracting(BundleFile::path)
                .containsExactlyInAnyOrder("same-size.py", "other-size.py", "unknown-hash.py");
        assertThat(plan.deletions()).isEmpty();
    }

    @Test
    void aModeChangeAloneIsAppliedWithoutFetching() {
        BundleManifest manifest = manifest(new BundleFile("run.sh", 0755, 10, A));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.file("run.sh", 10, 0644, A)));

        assertThat(plan.downloads()).isEmpty();
        assertThat(plan.modeChanges()).extracting(BundleFile::path).containsExactly("run.sh");
    }

    @Test
    void setuidAndStickyBitsInTheManifestAreNotAModeChange() {
        BundleManifest manifest = manifest(new BundleFile("run.sh", 04755, 10, A));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.file("run.sh", 10, 0755, A)));

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void filesAndDirectoriesTheBundleNoLongerHasAreDeletedDeepestFirst() {
        BundleManifest manifest = manifest(new BundleFile("keep/spider.py", 0644, 10, A));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.directory("keep"),
                LocalEntry.file("keep/spider.py", 10, 0644, A), LocalEntry.file("keep/old.py", 5, 0644, null),
                LocalEntry.directory("gone"), LocalEntry.directory("gone/deeper"),
                LocalEntry.file("gone/deeper/x.txt", 1, 0644, null), LocalEntry.file("top.txt", 1, 0644, null)));

        assertThat(plan.deletions()).containsExactly("gone/deeper/x.txt", "gone/deeper", "keep/old.py", "gone",
                "top.txt");
        assertThat(plan.downloads()).isEmpty();
    }

    @Test
    void whateverStandsWhereTheBundleNeedsAFileOrADirectoryIsDeleted() {
        BundleManifest manifest = manifest(new BundleFile("link/inside.py", 0644, 10, A),
                new BundleFile("was-a-dir.py", 0644, 10, B), new BundleFile("file-link.py", 0644, 10, C),
                new BundleFile("was-a-file/x.py", 0644, 10, A));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.symlink("link"),
                LocalEntry.directory("was-a-dir.py"), LocalEntry.file("was-a-dir.py/junk", 3, 0644, null),
                LocalEntry.symlink("file-link.py"), LocalEntry.file("was-a-file", 3, 0644, null)));

        assertThat(plan.deletions()).containsExactly("was-a-dir.py/junk", "file-link.py", "link", "was-a-dir.py",
                "was-a-file");
        assertThat(plan.downloads()).extracting(BundleFile::path).containsExactlyInAnyOrder("link/inside.py",
                "was-a-dir.py", "file-link.py", "was-a-file/x.py");
    }

    @Test
    void aPartFileOfAFileStillToFetchIsKeptToResumeFromAndOtherPartFilesAreDeleted() {
        BundleManifest manifest = manifest(new BundleFile("data/big.bin", 0644, 1000, A),
                new BundleFile("data/done.bin", 0644, 10, B));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.directory("data"),
                LocalEntry.file("data/.big.bin.kubecrawl-part", 400, 0644, null),
                LocalEntry.file("data/done.bin", 10, 0644, B),
                LocalEntry.file("data/.done.bin.kubecrawl-part", 10, 0644, null),
                LocalEntry.file("data/.gone.bin.kubecrawl-part", 10, 0644, null)));

        assertThat(plan.resumable()).containsExactly(Map.entry("data/big.bin", 400L));
        assertThat(plan.deletions()).containsExactly("data/.done.bin.kubecrawl-part", "data/.gone.bin.kubecrawl-part");
        assertThat(plan.downloads()).extracting(BundleFile::path).containsExactly("data/big.bin");
    }

    @Test
    void aPartFileLongerThanItsFileOrThatIsALinkIsDeleted() {
        BundleManifest manifest = manifest(new BundleFile("a.bin", 0644, 100, A), new BundleFile("b.bin", 0644, 100, B));

        SyncPlan plan = SyncPlan.between(manifest, local(LocalEntry.file(".a.bin.kubecrawl-part", 101, 0644, null),
                LocalEntry.symlink(".b.bin.kubecrawl-part")));

        assertThat(plan.resumable()).isEmpty();
        assertThat(plan.deletions()).containsExactly(".a.bin.kubecrawl-part", ".b.bin.kubecrawl-part");
    }

    @Test
    void anEmptyManifestEmptiesTheTarget() {
        SyncPlan plan = SyncPlan.between(manifest(), local(LocalEntry.directory("d"),
                LocalEntry.file("d/f", 1, 0644, null)));

        assertThat(plan.deletions()).containsExactly("d/f", "d");
    }
}
