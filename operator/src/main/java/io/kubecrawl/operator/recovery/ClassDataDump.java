package io.kubecrawl.operator.recovery;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A dynamic CDS archive of the classes this JVM has loaded so far, written by the JVM's own {@code VM.cds
 * dynamic_dump} diagnostic command (JDK 17 and later; the JVM must have been started with
 * {@code -XX:+RecordDynamicDumpInfo}) under a temporary name, forced to disk and renamed into place: a start that maps
 * the archive never finds a partial one under its name. Uses nothing but the JDK, so that a test can run it in a JVM
 * of its own.
 */
public final class ClassDataDump {

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";

    /** The archive written: its size, and how long the JVM took to write it (its threads wait meanwhile). */
    public record Written(Path archive, long bytes, long millis) {
    }

    private ClassDataDump() {
    }

    /**
     * Writes the archive to {@code archive}, replacing one that is there.
     *
     * @throws IOException if the JVM wrote none (it says why: not started to record, a dump done already, ...)
     */
    public static Written write(Path archive) throws IOException {
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        long started = System.nanoTime();
        String output;
        try {
            output = String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName(DIAGNOSTIC_COMMAND), "vmCds",
                    new Object[] {new String[] {"dynamic_dump", partial.toString()}},
                    new String[] {String[].class.getName()}));
        } catch (JMException e) {
            throw new IOException("the JVM's VM.cds command failed: " + e, e);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
            Files.deleteIfExists(partial);
            throw new IOException("the JVM wrote no class-data archive: " + output.strip().replace('\n', ' '));
        }
        // Opened for reading: the JVM writes the archive read-only, and forcing it to disk needs no write access.
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ)) {
            channel.force(true);
        }
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(archive.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
        return new Written(archive, Files.size(archive), millis);
    }
}
