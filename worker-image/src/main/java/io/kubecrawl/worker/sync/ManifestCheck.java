package io.kubecrawl.worker.sync;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.worker.BundleDigest;

/**
 * Decides whether a manifest received from the operator may be synced into a target directory, before anything is
 * written: its digest (recomputed from the canonical form) must be the pinned one, every path must be a valid bundle
 * path ({@link io.kubecrawl.protocol.bundle.BundlePath}) that lands inside the target once resolved and normalised, no path may be both a file and a directory, and none may use the names the sync
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
        // fromProto recomputed the digest from the canonical form and found it equal to the one the manifest claims.
        if (!received.getDigest().equals(pinned.value())) {
            throw refused("it is bundle " + received.getDigest() + ", not the pinned " + pinned);
        }
        return verifyPaths(manifest, target);
    }

    /**
     * The path checks alone, for a manifest whose digest is already known to be the pinned one (one kept in the
     * target: {@link KeptManifest}).
     *
     * @return the manifest
     * @throws SyncFailedException naming the first problem found
     */
    static BundleManifest verifyPaths(BundleManifest manifest, Path target) throws SyncFailedException {
        Set<String> files = new HashSet<>();
        for (BundleFile file : manifest.files()) {
            files.add(file.path());
        }
        Path base = target.toAbsolutePath().normalize();
        for (BundleFile file : manifest.files()) {
            // Every BundleFile passed BundlePath's checks when it was built (relative, no '.' or '..' segments, no
            // empty segments); what follows checks where the path lands once resolved.
            String path = file.path();
            Path relative = Path.of(path);
            Path resolved = base.resolve(relative).normalize();
            if (!resolved.startsWith(base) || resolved.equals(base)) {
                throw refused("path '" + path + "' lands outside " + base);
            }
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
