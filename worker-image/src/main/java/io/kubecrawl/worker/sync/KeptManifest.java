package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.worker.BundleDigest;

/**
 * {@code .kubecrawl/manifest}: the canonical form of the manifest of the bundle the target last held in full, written
 * just before the completion marker. A bundle's digest is the sha256 of its canonical manifest, so the file proves
 * itself: when its sha256 is the pinned digest it is that bundle's manifest, whoever wrote it. A re-sync of the same
 * bundle (a restarted pod on the same volume) then needs no round trip to the operator unless a file has to be
 * fetched.
 */
final class KeptManifest {
    static final String FILE_NAME = "manifest";

    private KeptManifest() {
    }

    /**
     * The kept manifest of {@code pinned} in the target, if the target holds one whose content hashes to that digest.
     * Anything else (no file, another bundle's, damaged) is empty: the sync then asks the operator.
     */
    static Optional<BundleManifest> read(Path target, BundleDigest pinned) {
        Path file = target.resolve(TargetDirectory.STATE_DIRECTORY).resolve(FILE_NAME);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            byte[] canonical = Files.readAllBytes(file);
            if (!Sha256.hex(canonical).equals(pinned.hex())) {
                return Optional.empty();
            }
            return Optional.of(BundleManifest.fromCanonicalForm(canonical));
        } catch (IOException | IllegalArgumentException unusable) {
            return Optional.empty();
        }
    }

    /** Keeps {@code manifest} in the target's state directory, durably. */
    static void write(TargetDirectory target, BundleManifest manifest) throws IOException {
        DurableFiles.writeAtomically(target.stateDirectory().resolve(FILE_NAME), manifest.canonicalForm());
    }
}
