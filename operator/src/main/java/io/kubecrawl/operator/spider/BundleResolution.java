package io.kubecrawl.operator.spider;

import java.util.Optional;

/** What a Spider's source resolves to: a manifest, or the problem that prevents one. */
public record BundleResolution(Optional<BundleManifest> manifest, Optional<SourceProblem> problem) {

    public static BundleResolution of(BundleManifest manifest) {
        return new BundleResolution(Optional.of(manifest), Optional.empty());
    }

    public static BundleResolution failed(String reason, String message) {
        return new BundleResolution(Optional.empty(), Optional.of(new SourceProblem(reason, message)));
    }
}
