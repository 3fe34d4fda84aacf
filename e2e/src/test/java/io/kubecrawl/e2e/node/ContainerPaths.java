package io.kubecrawl.e2e.node;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A container's file system as a process on this node sees it: each mount path of the container is a directory of
 * the node, and a path in an argument or an environment value that lies under a mount path is rewritten to that
 * directory. Paths under no mount are left as they are (the image's own files, such as Debian's Python).
 */
final class ContainerPaths {
    private final Map<String, Path> mounts;
    private final Path hostsFile;

    ContainerPaths(Map<String, Path> mounts, Path hostsFile) {
        // Longest mount path first, so that a mount inside another one wins.
        this.mounts = new LinkedHashMap<>();
        mounts.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, Path> mount) -> mount.getKey().length()).reversed())
                .forEach(mount -> this.mounts.put(stripTrailingSlash(mount.getKey()), mount.getValue()));
        this.hostsFile = hostsFile;
    }

    /** {@code value} with a leading mount path replaced by its directory on this node. */
    String map(String value) {
        if (value == null) {
            return null;
        }
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String mountPath = mount.getKey();
            if (value.equals(mountPath) || value.startsWith(mountPath + "/")) {
                return mount.getValue() + value.substring(mountPath.length());
            }
        }
        return value;
    }

    /** The directory mounted at exactly {@code mountPath}, or null. */
    Path mapped(String mountPath) {
        return mounts.get(stripTrailingSlash(mountPath));
    }

    /** Where names resolve for this container's JVM: the node's view of the cluster's Services. */
    Path hostsFile() {
        return hostsFile;
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
