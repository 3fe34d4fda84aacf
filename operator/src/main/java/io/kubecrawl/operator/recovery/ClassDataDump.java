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

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * The JVM's class-data archive of what this run has loaded so far, in one of two kinds, by how the JVM was started:
 * <ul>
 * <li>with {@code -XX:AOTCacheOutput} (JDK 25 and later): an AOT cache, written by the JVM's {@code AOT.end_recording}
 * diagnostic command to the path that flag names. Besides the classes, loaded and linked, it keeps the run's method
 * profiles, so that the next start's JIT compilers start from them;</li>
 * <li>with {@code -XX:+RecordDynamicDumpInfo} (JDK 17 and later): a dynamic CDS archive of the loaded classes, written
 * by {@code VM.cds dynamic_dump}.</li>
 * </ul>
 * Either is written under a temporary name ({@code <archive>.partial}: the entrypoint gives it to
 * {@code -XX:AOTCacheOutput}), forced to disk and renamed into place: a start that maps the archive never finds a
 * partial one under its name. Uses nothing but the JDK, so that a test can run it in a JVM of its own.
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
        String aotCacheOutput = vmOption("AOTCacheOutput");
        if (!aotCacheOutput.isEmpty() && !Path.of(aotCacheOutput).equals(partial)) {
            // Renaming another path into place could publish a cache still being written; the entrypoint never asks.
            throw new IOException("the JVM records its AOT cache to " + aotCacheOutput + ", not to " + partial);
        }
        Files.deleteIfExists(partial);
        long started = System.nanoTime();
        String output = aotCacheOutput.isEmpty()
                ? diagnosticCommand("vmCds", "dynamic_dump", partial.toString())
                : diagnosticCommand("aotEndRecording");
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

    /** Whether this JVM writes an AOT cache, which a second JVM that it starts assembles. */
    public static boolean assemblesInASecondJvm() {
        return !vmOption("AOTCacheOutput").isEmpty();
    }

    /** A JVM flag's value; empty when this JVM has no such flag (AOTCacheOutput before JDK 25) or it is not set. */
    private static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (IllegalArgumentException noSuchFlag) {
            return "";
        }
    }

    /** Runs a diagnostic command (as jcmd would) in this JVM and returns what it printed. */
    private static String diagnosticCommand(String operation, String... arguments) throws IOException {
        try {
            return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(DIAGNOSTIC_COMMAND),
                    operation, new Object[] {arguments}, new String[] {String[].class.getName()}));
        } catch (JMException e) {
            throw new IOException("the JVM's " + operation + " command failed: " + e, e);
        }
    }
}
