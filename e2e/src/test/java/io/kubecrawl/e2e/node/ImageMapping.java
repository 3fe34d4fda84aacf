package io.kubecrawl.e2e.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;

/**
 * What the test node runs for an image, since it has no container runtime: this checkout's builds of the two images
 * Kubecrawl ships, laid out as the images lay them out. The operator image is its entrypoint script and the Quarkus
 * application, on the image's JDK where this machine has one ({@link OperatorJdk}); the worker image is the worker
 * agent's launcher and jar, with Debian's Python and Scrapy and the Scrapy helper.
 *
 * <p>A process cannot see the paths a container would ({@code /var/run/secrets/...}, {@code /etc/hosts}), so each
 * image also gets what tells its runtime where they are here: the JVM's hosts file and, for the fabric8 client, the
 * ServiceAccount files.
 */
public final class ImageMapping {
    private final Path checkout;

    public ImageMapping(Path checkout) {
        this.checkout = checkout;
    }

    /** The command line of a container, or null when this node has no build of its image. */
    List<String> command(Container container, ContainerPaths paths) {
        String image = repository(container.getImage());
        List<String> command = new ArrayList<>();
        if (image.endsWith("kubecrawl-operator")) {
            // The image's entrypoint, /usr/local/bin/kubecrawl-operator, with its class-data archive in the pod's
            // data volume.
            command.addAll(List.of("sh", checkout.resolve("operator/src/main/sh/kubecrawl-operator").toString()));
            addArgs(command, container, paths);
            return command;
        }
        if (image.endsWith("kubecrawl-worker")) {
            List<String> words = new ArrayList<>();
            if (container.getCommand() != null) {
                words.addAll(container.getCommand());
            }
            if (words.isEmpty() || words.get(0).equals("kubecrawl-worker")
                    || words.get(0).equals("/usr/local/bin/kubecrawl-worker")) {
                // The image's entrypoint, /usr/local/bin/kubecrawl-worker.
                command.addAll(List.of("sh", launcher().toString()));
                words = words.isEmpty() ? words : words.subList(1, words.size());
            }
            words.forEach(word -> command.add(paths.map(word)));
            addArgs(command, container, paths);
            return command;
        }
        return null;
    }

    /** What the image itself sets in the environment, and where this node keeps what a container would mount. */
    Map<String, String> environment(Container container, ContainerPaths paths) {
        Map<String, String> env = new LinkedHashMap<>();
        String image = repository(container.getImage());
        if (image.endsWith("kubecrawl-operator")) {
            env.put("KUBECRAWL_APP_DIR", checkout.resolve("operator/target/quarkus-app").toString());
            OperatorJdk.home().ifPresent(home -> env.put("JAVA_HOME", home.toString()));
            env.put("JAVA_OPTS", "-Xmx384m -Djdk.net.hosts.file=" + paths.hostsFile() + " -Djava.io.tmpdir="
                    + paths.map("/tmp"));
        }
        if (image.endsWith("kubecrawl-worker")) {
            env.put("KUBECRAWL_WORKER_JAR", checkout.resolve("worker-image/target/kubecrawl-worker.jar").toString());
            env.put("KUBECRAWL_PYTHON_PATH", checkout.resolve("worker-image/src/main/python").toString());
            env.put("JAVA_OPTS", "-Xmx128m -Djdk.net.hosts.file=" + paths.hostsFile());
        }
        Path serviceAccount = paths.mapped("/var/run/secrets/kubernetes.io/serviceaccount");
        if (serviceAccount != null) {
            env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", serviceAccount.resolve("token").toString());
            env.put("KUBERNETES_CERTS_CA_FILE", serviceAccount.resolve("ca.crt").toString());
        }
        return env;
    }

    private Path launcher() {
        return checkout.resolve("worker-image/src/main/sh/kubecrawl-worker");
    }

    private static void addArgs(List<String> command, Container container, ContainerPaths paths) {
        if (container.getArgs() != null) {
            container.getArgs().forEach(arg -> command.add(paths.map(arg)));
        }
    }

    private static String repository(String image) {
        String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int tag = withoutDigest.lastIndexOf(':');
        return tag > withoutDigest.lastIndexOf('/') ? withoutDigest.substring(0, tag) : withoutDigest;
    }
}
