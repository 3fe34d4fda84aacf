package io.kubecrawl.e2e.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Service;

/**
 * The cluster DNS of the test node, as a hosts file its JVMs read ({@code -Djdk.net.hosts.file}): every Service
 * name, in each of the forms a pod may use, resolves to the node's address, where the pods that back it listen (pods
 * on this node share its loopback network, so a Service's port reaches the pod's port of the same number).
 */
final class ServiceHosts {
    private final Path file;

    ServiceHosts(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Rewrites the file for these Services; readers see the old file or the new one, never half of one. */
    synchronized void write(List<Service> services) {
        List<String> lines = new ArrayList<>();
        lines.add(TestNode.ADDRESS + " localhost " + machineName());
        for (Service service : services) {
            String name = service.getMetadata().getName();
            String namespace = service.getMetadata().getNamespace();
            lines.add(TestNode.ADDRESS + " " + name + "." + namespace + ".svc.cluster.local " + name + "."
                    + namespace + ".svc " + name + "." + namespace);
        }
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.write(next, lines);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The machine's own name, which JVMs look up at start (InetAddress.getLocalHost). */
    private static String machineName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
