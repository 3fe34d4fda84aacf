package io.kubecrawl.operator.upload;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.kubecrawl.protocol.bundle.BundlePath;

/**
 * The rules every entry of one archive must pass, whatever the archive format, and the paths claimed so far: a
 * bundle is a tree of regular files in which every path is safe (see {@link BundlePath}), appears once, and is not
 * both a file and the directory of another file. One instance per archive, read in order.
 */
final class BundleTreeRules {

    /** Where the bundle would be unpacked, for the lexical "stays inside" check; nothing is written there. */
    private static final Path BUNDLE_ROOT = Path.of("/bundle");

    private final int maxEntries;
    private int entries;
    private final Set<String> files = new HashSet<>();
    private final Set<String> directories = new HashSet<>();

    BundleTreeRules(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** Counts one more entry of any kind. */
    void count(String name) throws RejectedArchiveException {
        entries++;
        if (entries > maxEntries) {
            throw refused(name, "the archive holds more than " + maxEntries
                    + " entries, the most the operator accepts (kubecrawl.upload.max-entries)");
        }
    }

    /**
     * Checks a directory entry. Directories are implied by the files' paths, so the entry itself adds nothing, but
     * its name must be as safe as a file's.
     */
    void directory(String name) throws RejectedArchiveException {
        String path = normalised(name, true);
        if (!path.isEmpty()) {
            checked(name, path);
        }
    }

    /**
     * Checks and claims the path of a regular file.
     *
     * @return the file's path in the bundle
     */
    String file(String name) throws RejectedArchiveException {
        String path = checked(name, normalised(name, false));
        if (files.contains(path)) {
            throw refused(name, "an earlier entry of the archive has the same path");
        }
        if (directories.contains(path)) {
            throw refused(name, "an earlier entry needs '" + ArchiveEntryProblem.printable(path)
                    + "' as a directory");
        }
        for (Path parent = Path.of(path).getParent(); parent != null; parent = parent.getParent()) {
            String directory = parent.toString();
            if (files.contains(directory)) {
                throw refused(name, "'" + ArchiveEntryProblem.printable(directory)
                        + "' is a file of the archive, so it cannot be a directory too");
            }
            if (!directories.add(directory)) {
                break; // Its parents were added with it.
            }
        }
        files.add(path);
        return path;
    }

    /** How many regular files were claimed. */
    int fileCount() {
        return files.size();
    }

    static RejectedArchiveException refused(String name, String reason) {
        return new RejectedArchiveException(new ArchiveEntryProblem(name, reason));
    }

    /**
     * Archivers write {@code ./a.py} for {@code tar -C dir .} and {@code dir/} for directories; the bundle path is
     * {@code a.py} and {@code dir}. Only those two spellings are folded; everything else is checked as written.
     */
    private static String normalised(String name, boolean directory) {
        String path = name;
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        if (path.equals(".")) {
            path = "";
        }
        if (directory && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private static String checked(String name, String path) throws RejectedArchiveException {
        Optional<String> problem = BundlePath.problem(path);
        if (problem.isPresent()) {
            throw refused(name, problem.get());
        }
        try {
            BundlePath.resolveIn(BUNDLE_ROOT, path);
        } catch (IllegalArgumentException outside) {
            throw refused(name, "the path lands outside the bundle");
        }
        return path;
    }
}
