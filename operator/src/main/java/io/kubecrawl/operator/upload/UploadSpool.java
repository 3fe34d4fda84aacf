package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.kubecrawl.operator.config.OperatorSettings;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * Where an upload that must be read from a file (a zip, whose table of contents comes last) waits while it is read:
 * {@code uploads/} on the operator's data volume, never memory and never the container's small root file system.
 * Each spooled body is deleted when its upload ends, however it ends; one left by an operator that died is deleted
 * at the next start, when no upload can be running.
 */
@ApplicationScoped
public class UploadSpool {

    private static final Logger LOG = Logger.getLogger(UploadSpool.class);

    private final Path directory;

    public UploadSpool(OperatorSettings settings) {
        this.directory = Path.of(settings.dataDir()).resolve("uploads");
    }

    void clearOnStart(@Observes StartupEvent start) {
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory)) {
                for (Path leftover : leftovers) {
                    Files.deleteIfExists(leftover);
                    LOG.infof("Deleted %s, left by an upload that never finished", leftover);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the upload spool " + directory, e);
        }
    }

    /**
     * Copies {@code body} to a new file, streaming. The caller deletes the file with {@link #delete} when done.
     *
     * @throws IOException when reading the body or writing the file fails; the file is deleted then
     */
    public Path spool(InputStream body) throws IOException {
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "upload-", ".zip");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(channel)) {
            body.transferTo(out);
            return file;
        } catch (IOException | RuntimeException | Error e) {
            delete(file);
            throw e;
        }
    }

    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("Cannot delete spooled upload %s (%s); the next start deletes it", file, e.getMessage());
        }
    }
}
