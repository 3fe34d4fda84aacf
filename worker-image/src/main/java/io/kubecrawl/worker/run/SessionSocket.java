package io.kubecrawl.worker.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecrawl.worker.OneLine;

/**
 * The agent's end of one spider process's session: a Unix domain socket in the scratch directory, listened on for
 * that one process. The first connection is taken and the socket file deleted at once, so that nothing else can
 * connect; a spider that never connects never notices the socket. Every line read is handed to the listener as a
 * {@link SessionMessage}; the end of the connection, or a line that is not a message, ends the session.
 *
 * <p>Reads and writes go straight to the channel, not through {@code Channels.newInputStream}: those streams share the
 * channel's blocking lock, so a read waiting for the spider would hold up every message the agent sends.
 */
final class SessionSocket implements AutoCloseable {
    /** The longest line the agent accepts: a session message is a few hundred bytes. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happens on the socket; called on the socket's own thread. */
    interface Listener {
        void connected();

        void received(SessionMessage message);

        /** The session is over: the spider closed it, it broke, or it sent something that is not a message. */
        void ended(String why);
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Listener listener;
    private final Thread reader;
    private final Object writing = new Object();
    private volatile SocketChannel connection;

    private SessionSocket(Path path, ServerSocketChannel server, Listener listener) {
        this.path = path;
        this.server = server;
        this.listener = listener;
        this.reader = new Thread(this::acceptAndRead, "spider-session-" + path.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Listens on {@code path}, replacing a file an agent that died left there.
     *
     * @throws IOException if the socket cannot be created (a path longer than the system allows, about 100 bytes)
     */
    static SessionSocket listen(Path path, Listener listener) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1);
        } catch (IOException | RuntimeException failed) {
            server.close();
            throw failed;
        }
        SessionSocket socket = new SessionSocket(path, server, listener);
        socket.reader.start();
        return socket;
    }

    /** Sends one message. @throws IOException if no spider is connected or the connection broke */
    void send(SessionMessage message) throws IOException {
        SocketChannel channel = connection;
        if (channel == null) {
            throw new ClosedChannelException();
        }
        byte[] json = JSON.writeValueAsBytes(message);
        ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        synchronized (writing) {
            while (line.hasRemaining()) {
                channel.write(line);
            }
        }
    }

    /** Waits until the connection has ended (or was never made and the socket is closed), at most {@code timeout}. */
    void awaitEnd(Duration timeout) throws InterruptedException {
        reader.join(Math.max(1, timeout.toMillis()));
    }

    /** Stops listening for a connection; one already made stays open. */
    void stopListening() {
        closeQuietly(server);
        deleteQuietly();
    }

    /** Closes the socket and its connection. */
    @Override
    public void close() {
        stopListening();
        SocketChannel channel = connection;
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    private void acceptAndRead() {
        SocketChannel channel;
        try {
            channel = server.accept();
        } catch (IOException closed) {
            // Closed while waiting: the process ended, or the agent is done with it, without a connection.
            listener.ended("the spider did not connect");
            return;
        }
        stopListening();
        connection = channel;
        listener.connected();
        listener.ended(readLines(channel));
    }

    /** Reads messages until the connection ends; returns why it ended. */
    private String readLines(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte next = buffer.get();
                    if (next != '\n') {
                        line.write(next);
                        if (line.size() > MAX_LINE_BYTES) {
                            return "the spider sent a line longer than " + MAX_LINE_BYTES + " bytes";
                        }
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (text.isEmpty()) {
                        continue;
                    }
                    try {
                        listener.received(JSON.readValue(text, SessionMessage.class));
                    } catch (JsonProcessingException notAMessage) {
                        return "the spider sent a line that is not a session message: " + OneLine.of(text);
                    }
                }
            }
            return "the spider closed the connection";
        } catch (IOException broken) {
            return "the connection broke: " + broken;
        } finally {
            closeQuietly(channel);
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A leftover socket file harms nothing: the next listen on this path deletes it first.
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do with it.
        }
    }
}
