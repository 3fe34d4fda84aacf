package io.kubecrawl.worker.sync;

/**
 * One entry the target directory holds, as {@link LocalTree} found it without following symbolic links.
 *
 * @param path relative path with '/' separators
 * @param kind what it is
 * @param size size in bytes (files only)
 * @param mode permission bits (rwx for user, group, others)
 * @param sha256 the content's sha256 when it was worth knowing (a regular file the manifest lists with this size),
 *     else null
 */
public record LocalEntry(String path, Kind kind, long size, int mode, String sha256) {

    public enum Kind { FILE, DIRECTORY, SYMLINK, OTHER }

    public static LocalEntry file(String path, long size, int mode, String sha256) {
        return new LocalEntry(path, Kind.FILE, size, mode, sha256);
    }

    public static LocalEntry directory(String path) {
        return new LocalEntry(path, Kind.DIRECTORY, 0, 0755, null);
    }

    public static LocalEntry symlink(String path) {
        return new LocalEntry(path, Kind.SYMLINK, 0, 0777, null);
    }
}
