package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import io.kubecrawl.worker.BundleDigest;

/**
 * {@code .kubecrawl/complete}: holds the digest of the bundle the target holds in full. Removed when a sync starts and
 * written last, durably, when every file is verified and in place; so its presence means the whole bundle is there.
 */
final class CompletionMarker {
    static final String FILE_NAME = "complete";

    private final Path file;

    CompletionMarker(TargetDirectory target) {
        this.file = target.stateDirectory().resolve(FILE_NAME);
    }

    void remove() throws IOException {
        DurableFiles.deleteDurably(file);
    }

    void write(BundleDigest bundle) throws IOException {
        DurableFiles.writeAtomically(file, (bundle.value() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The digest the marker holds, if there is one. */
    static Optional<String> read(Path target) throws IOException {
        Path file = target.resolve(TargetDirectory.STATE_DIRECTORY).resolve(FILE_NAME);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }
}
