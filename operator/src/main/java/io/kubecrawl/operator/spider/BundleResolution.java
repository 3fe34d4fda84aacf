package io.kubecrawl.operator.spider;

import java.util.Map;
import java.util.Optional;

import io.kubecrawl.protocol.bundle.BundleManifest;

/**
 * What a Spider's source resolves to: a manifest, or the problem that prevents one.
 *
 * @param contents the content of the manifest's files by sha256, when the source itself holds them (a ConfigMap) and
 *     the reconciler must put them into the bundle store; empty when they are stored already (an upload)
 */
public record BundleResolution(Optional<BundleManifest> manifest, Map<String, byte[]> contents,
        Optional<SourceProblem> problem) {

    public static BundleResolution of(BundleManifest manifest) {
        return of(manifest, Map.of());
    }

    public static BundleResolution of(BundleManifest manifest, Map<String, byte[]> contents) {
        return new BundleResolution(Optional.of(manifest), Map.copyOf(contents), Optional.empty());
    }

    public static BundleResolution failed(String reason, String message) {
        return new BundleResolution(Optional.empty(), Map.of(), Optional.of(new SourceProblem(reason, message)));
    }
}
