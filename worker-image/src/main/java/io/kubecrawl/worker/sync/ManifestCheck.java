package io.kubecrawl.worker.sync;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.BundlePath;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.worker.BundleDigest;

/**
 * Decides whether a manifest received from the operator may be synced into a target directory, before anything is
 * written: its digest (recomputed from the canonical form) must be the pinned one, every path must be a valid bundle
 * path landing inside the target, no path may be both a file and a directory, and none may use the names the sync
 * keeps for itself (the state directory {@value TargetDirectory#STATE_DIRECTORY} and part files).
 */
final class ManifestCheck {

    private ManifestCheck() {
    }

    /**
     * @return the manifest, checked
     * @throws SyncFailedException naming the first problem found
     */
    static BundleManifest verify(Manifest received, BundleDigest pinned, Path target) throws SyncFailedException {
        BundleManifest manifest;
        try {
            manifest = BundleManifest.fromProto(received);
        } catch (IllegalArgumentException refused) {
            throw refused(refused.getMessage());
        }
        if (!manifest.digest().equals(pinned.value())) {
            throw refused("it is bundle " + manifest.digest() + ", not the pinned " + pinned);
        }
        Set<String> files = new HashSet<>();
        for (BundleFile file : manifest.files()) {
            files.add(file.path());
        }
        Path base = target.toAbsolutePath().normalize();
        for (BundleFile file : manifest.files()) {
            String path = file.path();
            Path resolved;
            try {
                resolved = BundlePath.resolveIn(base, path);
            } catch (IllegalArgumentException outside) {
                throw refused(outside.getMessage());
            }
            // BundlePath.resolveIn checks this too; the sync relies on it, so it says so itself.
            if (!resolved.normalize().startsWith(base)) {
                throw refused("path '" + path + "' lands outside " + base);
            }
            Path relative = Path.of(path);
            if (relative.getName(0).toString().equals(TargetDirectory.STATE_DIRECTORY)) {
                throw refused("path '" + path + "' is inside " + TargetDirectory.STATE_DIRECTORY
                        + ", which the sync keeps for its own state");
            }
            for (Path segment : relative) {
                if (PartFile.isPartName(segment.toString())) {
                    throw refused("path '" + path + "' has the form of the sync's temporary files (" + PartFile.SUFFIX
                            + ")");
                }
            }
            for (Path parent = relative.getParent(); parent != null; parent = parent.getParent()) {
                if (files.contains(parent.toString())) {
                    throw refused("'" + parent + "' is listed as a file and also as the directory of '" + path + "'");
                }
            }
        }
        return manifest;
    }

    private static SyncFailedException refused(String reason) {
        return new SyncFailedException("the bundle manifest is refused: " + reason);
    }
}
