package io.kubecrawl.worker.sync;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Names of the temporary files a download writes before it renames them into place: {@code .<name>.kubecrawl-part}
 * beside the final file, so that the rename stays within one directory (and so one file system) and a later sync can
 * resume from what it holds. A name too long for that becomes {@code .kubecrawl-part-<hash of the name>}. No bundle
 * path may use either form (see {@link ManifestCheck}).
 */
final class PartFile {
    static final String SUFFIX = ".kubecrawl-part";
    static final String LONG_NAME_PREFIX = ".kubecrawl-part-";
    /** Longest file name (in bytes) Linux file systems take. */
    private static final int NAME_MAX = 255;

    private PartFile() {
    }

    /** The part file of the file at {@code path}, which may be relative ('/'-separated bundle path) or absolute. */
    static Path of(Path path) {
        String name = path.getFileName().toString();
        String partName = "." + name + SUFFIX;
        if (partName.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            String hash = Sha256.hex(name.getBytes(StandardCharsets.UTF_8));
            partName = LONG_NAME_PREFIX + hash.substring(0, 32);
        }
        return path.resolveSibling(partName);
    }

    /** The part file of a bundle path, as a bundle path. */
    static String of(String bundlePath) {
        return of(Path.of(bundlePath)).toString();
    }

    /** Whether a file name has the form of a part file. */
    static boolean isPartName(String fileName) {
        return fileName.endsWith(SUFFIX) || fileName.startsWith(LONG_NAME_PREFIX);
    }
}
