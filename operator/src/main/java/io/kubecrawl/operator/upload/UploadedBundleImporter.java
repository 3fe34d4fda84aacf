package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.kubecrawl.operator.bundle.BlobRef;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;

/**
 * Puts an uploaded archive into the bundle store: every file's content, streamed and hashed as it is read, then the
 * manifest of paths, modes, sizes and hashes. The manifest is stored last and only when every file is in, so a stored
 * manifest always names a complete bundle; an archive refused or failing halfway leaves no manifest, only contents
 * that nothing names, which garbage collection removes after its grace period.
 */
@ApplicationScoped
public class UploadedBundleImporter {

    private final BundleStore store;
    private final KillPoints killPoints;

    public UploadedBundleImporter(BundleStore store, KillPoints killPoints) {
        this.killPoints = killPoints;
        this.store = store;
    }

    /**
     * @return the manifest of the stored bundle
     * @throws RejectedArchiveException when the archive breaks a rule; no manifest is stored
     * @throws ArchiveReadException when the archive cannot be read; no manifest is stored
     * @throws IOException when the store fails; no manifest is stored
     */
    public BundleManifest importArchive(ArchiveReader archive) throws IOException, RejectedArchiveException {
        List<BundleFile> files = new ArrayList<>();
        archive.forEachFile((path, mode, content) -> {
            BlobRef blob = store.write(content);
            files.add(new BundleFile(path, mode, blob.size(), blob.sha256()));
            killPoints.reach(KillPoint.UPLOAD_RECEIVING);
        });
        // A long upload's first files may have been written longer ago than the garbage collector's grace period:
        // retaining them restarts their age, and one already collected fails the upload rather than leaving a
        // manifest that names a missing file.
        for (BundleFile file : files) {
            if (!store.retain(file.sha256())) {
                throw new IOException("file '" + file.path() + "' was removed from the bundle store while the upload "
                        + "ran; upload again");
            }
        }
        BundleManifest manifest = new BundleManifest(files);
        store.putManifest(manifest);
        return manifest;
    }
}
