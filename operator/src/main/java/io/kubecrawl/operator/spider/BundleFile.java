package io.kubecrawl.operator.spider;

/**
 * One file of a spider bundle.
 *
 * @param path relative path with '/' separators, checked by {@link BundlePath}
 * @param mode permission bits, for example 0644 or 0755
 * @param size size in bytes
 * @param sha256 lower-case hex sha256 of the content
 */
public record BundleFile(String path, int mode, long size, String sha256) {
}
