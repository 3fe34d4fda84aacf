package io.kubecrawl.worker.sync;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;

/**
 * What a sync must do to turn what the target holds into the bundle: a pure function of the manifest and the local
 * entries.
 *
 * <p>A local entry is kept only when it is a regular file the manifest lists (if its content is stale, the download's
 * atomic rename replaces it, so the name never goes missing), or a real directory above one; part files of files
 * about to be downloaded are kept too, to resume from. Everything else is deleted: files the bundle no
 * longer has, directories left empty, and whatever stands where the bundle needs a file or a directory (a symbolic
 * link, a directory where a file goes, a file where a directory goes).
 *
 * @param downloads files to fetch: missing, or not of the listed size and sha256; largest first
 * @param modeChanges files whose content is right but whose permission bits are not
 * @param deletions relative paths to delete, deepest first, so a directory is empty when its turn comes
 * @param resumable part files to resume from, by the bundle path of the file they belong to, with their size
 * @param unchanged how many files are already in place
 */
public record SyncPlan(List<BundleFile> downloads, List<BundleFile> modeChanges, List<String> deletions,
        Map<String, Long> resumable, int unchanged) {

    public SyncPlan {
        downloads = List.copyOf(downloads);
        modeChanges = List.copyOf(modeChanges);
        deletions = List.copyOf(deletions);
        resumable = Map.copyOf(resumable);
    }

    public static SyncPlan between(BundleManifest manifest, Map<String, LocalEntry> local) {
        Set<String> directories = new HashSet<>();
        Map<String, BundleFile> partFiles = new HashMap<>();
        List<BundleFile> downloads = new ArrayList<>();
        List<BundleFile> modeChanges = new ArrayList<>();
        int unchanged = 0;
        Set<String> keep = new HashSet<>();
        for (BundleFile file : manifest.files()) {
            for (Path parent = Path.of(file.path()).getParent(); parent != null; parent = parent.getParent()) {
                directories.add(parent.toString());
            }
            LocalEntry entry = local.get(file.path());
            boolean sameContent = entry != null && entry.kind() == LocalEntry.Kind.FILE && entry.size() == file.size()
                    && file.sha256().equals(entry.sha256());
            if (entry != null && entry.kind() == LocalEntry.Kind.FILE) {
                keep.add(file.path()); // the new content's rename replaces it atomically: never a gap
            }
            if (!sameContent) {
                downloads.add(file);
                partFiles.put(PartFile.of(file.path()), file);
            } else {
                if ((entry.mode() & Modes.PERMISSION_BITS) != (file.mode() & Modes.PERMISSION_BITS)) {
                    modeChanges.add(file);
                } else {
                    unchanged++;
                }
            }
        }
        Map<String, Long> resumable = new HashMap<>();
        List<String> deletions = new ArrayList<>();
        for (LocalEntry entry : local.values()) {
            String path = entry.path();
            if (keep.contains(path)) {
                continue;
            }
            if (entry.kind() == LocalEntry.Kind.DIRECTORY && directories.contains(path)) {
                continue;
            }
            BundleFile partOf = partFiles.get(path);
            if (partOf != null && entry.kind() == LocalEntry.Kind.FILE && entry.size() <= partOf.size()) {
                resumable.put(partOf.path(), entry.size());
                continue;
            }
            deletions.add(path);
        }
        deletions.sort(Comparator.comparingInt((String path) -> Path.of(path).getNameCount()).reversed()
                .thenComparing(Comparator.naturalOrder()));
        downloads.sort(Comparator.comparingLong(BundleFile::size).reversed().thenComparing(BundleFile::path));
        return new SyncPlan(downloads, modeChanges, deletions, resumable, unchanged);
    }

    public long bytesToDownload() {
        return downloads.stream().mapToLong(BundleFile::size).sum();
    }

    public boolean isEmpty() {
        return downloads.isEmpty() && modeChanges.isEmpty() && deletions.isEmpty();
    }
}
