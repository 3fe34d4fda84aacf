package io.kubecrawl.e2e.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the control plane's binaries are: the layout fabric8's kube-api-test also reads,
 * {@code ~/.kubeapitest/k8s/<version>-linux-amd64/}, filled by {@code e2e/control-plane/build.sh}.
 */
public final class ControlPlaneBinaries {
    /** The version build.sh builds; keep the two in step. */
    public static final String KUBERNETES_VERSION = "1.35.4";
    private static final List<String> NEEDED = List.of("etcd", "kube-apiserver", "kube-controller-manager",
            "kubectl");

    private ControlPlaneBinaries() {
    }

    public static Path directory() {
        String configured = System.getProperty("kubecrawl.control-plane.binaries");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s",
                KUBERNETES_VERSION + "-linux-amd64");
    }

    /** Why the control plane cannot start here, or null when every binary is in place. */
    public static String missing() {
        Path dir = directory();
        List<String> absent = NEEDED.stream().filter(name -> !Files.isExecutable(dir.resolve(name))).toList();
        if (absent.isEmpty()) {
            return null;
        }
        return "no " + String.join(", ", absent) + " in " + dir
                + ": build them with e2e/control-plane/build.sh (.ci/run does)";
    }
}
