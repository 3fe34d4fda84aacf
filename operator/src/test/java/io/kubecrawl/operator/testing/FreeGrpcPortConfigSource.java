package io.kubecrawl.operator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Gives the tests' gRPC server a port that is free when the test JVM starts, one per JVM. Quarkus's separate gRPC
 * server does not report a random port (test-port 0), and a fixed one clashes with other builds on the same machine.
 * Tests dial {@code quarkus.grpc.server.test-port}.
 */
public class FreeGrpcPortConfigSource implements ConfigSource {

    private static final String TEST_PORT = "quarkus.grpc.server.test-port";
    private static final String CHOSEN_PORT = "grpc-test-port.kubecrawl-tests";
    private static final String PORT = String.valueOf(freePort());

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(TEST_PORT);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(TEST_PORT, PORT);
    }

    @Override
    public String getValue(String propertyName) {
        return TEST_PORT.equals(propertyName) ? PORT : null;
    }

    @Override
    public String getName() {
        return "kubecrawl-free-grpc-test-port";
    }

    /** Above application.properties (250), below system properties and the environment. */
    @Override
    public int getOrdinal() {
        return 260;
    }

    /**
     * Chosen once per JVM, kept in a system property: Quarkus loads this class in more than one class loader, and
     * the server and the tests must agree on the port.
     */
    private static synchronized int freePort() {
        String chosen = System.getProperty(CHOSEN_PORT);
        if (chosen != null) {
            return Integer.parseInt(chosen);
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            System.setProperty(CHOSEN_PORT, String.valueOf(socket.getLocalPort()));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the gRPC test server", e);
        }
    }
}
