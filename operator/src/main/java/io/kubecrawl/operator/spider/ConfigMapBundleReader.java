package io.kubecrawl.operator.spider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.bundle.BundlePath;
import io.kubecrawl.protocol.bundle.Sha256;

/**
 * Turns a ConfigMap source into a bundle manifest, the way a ConfigMap volume projection would lay out the files,
 * together with the files' contents for the bundle store. Pure: it reads nothing but its arguments.
 */
public final class ConfigMapBundleReader {

    public static final int DEFAULT_MODE = 0644;

    private ConfigMapBundleReader() {
    }

    public static BundleResolution read(String namespace, ConfigMapSource source, Optional<ConfigMap> configMap) {
        if (configMap.isEmpty()) {
            return BundleResolution.failed(SourceProblem.SOURCE_NOT_FOUND, "ConfigMap " + source.getName()
                    + " does not exist in namespace " + namespace
                    + "; create it or correct spec.source.configMap.name");
        }
        Map<String, byte[]> contents = contents(configMap.get());
        List<KeyToPath> items = source.getItems() == null || source.getItems().isEmpty()
                ? contents.keySet().stream().map(key -> new KeyToPath(key, key, null)).toList()
                : source.getItems();
        int defaultMode = source.getDefaultMode() != null ? source.getDefaultMode() : DEFAULT_MODE;

        List<BundleFile> files = new ArrayList<>();
        Map<String, byte[]> contentBySha256 = new HashMap<>();
        Set<String> paths = new HashSet<>();
        for (KeyToPath item : items) {
            byte[] content = contents.get(item.getKey());
            if (content == null) {
                return BundleResolution.failed(SourceProblem.KEY_NOT_FOUND, "ConfigMap " + source.getName()
                        + " has no key " + item.getKey() + " named in spec.source.configMap.items");
            }
            Optional<String> problem = BundlePath.problem(item.getPath());
            if (problem.isPresent()) {
                return BundleResolution.failed(SourceProblem.INVALID_PATH, "path '" + item.getPath() + "' of key "
                        + item.getKey() + " is refused: " + problem.get());
            }
            if (!paths.add(item.getPath())) {
                return BundleResolution.failed(SourceProblem.INVALID_PATH, "path '" + item.getPath()
                        + "' is named by more than one item");
            }
            int mode = item.getMode() != null ? item.getMode() : defaultMode;
            if (mode < 0 || mode > BundleFile.MAX_MODE) {
                return BundleResolution.failed(SourceProblem.INVALID_SPEC, "mode " + Integer.toOctalString(mode)
                        + " (octal) of path '" + item.getPath() + "' is not a permission mode (0 to 7777 octal)");
            }
            String sha256 = Sha256.hex(content);
            files.add(new BundleFile(item.getPath(), mode, content.length, sha256));
            contentBySha256.put(sha256, content);
        }
        Optional<String> clash = fileUsedAsDirectory(paths);
        if (clash.isPresent()) {
            return BundleResolution.failed(SourceProblem.INVALID_PATH, clash.get());
        }
        return BundleResolution.of(new BundleManifest(files), contentBySha256);
    }

    private static Map<String, byte[]> contents(ConfigMap configMap) {
        Map<String, byte[]> contents = new TreeMap<>();
        if (configMap.getData() != null) {
            configMap.getData().forEach((key, value) -> contents.put(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        if (configMap.getBinaryData() != null) {
            configMap.getBinaryData().forEach((key, value) -> contents.put(key, Base64.getDecoder().decode(value)));
        }
        return contents;
    }

    /** A path cannot be both a file and the directory of another file ({@code a} and {@code a/b}). */
    private static Optional<String> fileUsedAsDirectory(Set<String> paths) {
        for (String path : paths) {
            java.nio.file.Path parent = java.nio.file.Path.of(path).getParent();
            while (parent != null) {
                if (paths.contains(parent.toString())) {
                    return Optional.of("path '" + parent + "' is a file but '" + path + "' needs it as a directory");
                }
                parent = parent.getParent();
            }
        }
        return Optional.empty();
    }
}
