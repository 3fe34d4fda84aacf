package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One sync at a time per target directory: a lock on {@code .kubecrawl/lock} keeps out other processes (the kernel
 * releases it when a process dies, so it never goes stale), and an in-process lock keeps out other syncs of this JVM,
 * which a file lock does not. A second sync waits, then finds the bundle in place and has nothing to do.
 *
 * <p>The lock file holds a generation number: odd while a sync changes the target ({@link #begin()}), even once it
 * has finished ({@link #finish()}); a sync that dies leaves it odd. A sync that looked at the target before it held
 * the lock (to overlap that with the manifest request) uses what it saw only if the generation was even then and is
 * still the same now: no sync was changing the target while it looked, and none has changed it since.
 */
final class TargetLock implements AutoCloseable {
    static final String FILE_NAME = "lock";
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock processLock;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final String generation;
    /** The generation this sync last wrote; until it writes, the one it found. */
    private long written;

    private TargetLock(ReentrantLock processLock, FileChannel channel, FileLock fileLock) throws IOException {
        this.processLock = processLock;
        this.channel = channel;
        this.fileLock = fileLock;
        this.generation = read(channel);
        this.written = parse(generation);
    }

    /** The generation the lock file held when the lock was taken. */
    String generation() {
        return generation;
    }

    /** Records that this sync is changing the target: the next odd generation. */
    void begin() throws IOException {
        long current = parse(generation);
        written = current % 2 == 0 ? current + 1 : current + 2;
        write(written);
    }

    /** Records that this sync has finished changing the target: the next even generation. */
    void finish() throws IOException {
        // Only this lock's holder writes the file, so it still holds what begin() wrote.
        written = written % 2 == 0 ? written + 2 : written + 1;
        write(written);
    }

    /** Whether a generation read without the lock says that no sync was changing the target then. */
    static boolean isSettled(String generation) {
        return parse(generation) % 2 == 0;
    }

    private static long parse(String generation) {
        try {
            return generation.isEmpty() ? 0 : Long.parseLong(generation);
        } catch (NumberFormatException garbled) {
            return 1; // unknown: treated as a sync in progress, so nothing read without the lock is trusted
        }
    }

    /** Not fsynced: the generation matters only while the machine is up. */
    private void write(long next) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII));
        channel.truncate(0);
        while (bytes.hasRemaining()) {
            channel.write(bytes, bytes.position());
        }
    }

    /** The generation in a lock file, read without taking the lock; empty for a new lock file. */
    static String readGeneration(Path lockFile) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return read(channel);
        }
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        long position = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                break;
            }
            position += read;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
    }

    static TargetLock acquire(TargetDirectory target, PrintWriter log, String prefix)
            throws IOException, InterruptedException {
        ReentrantLock processLock = IN_PROCESS.computeIfAbsent(target.root(), root -> new ReentrantLock());
        if (!processLock.tryLock()) {
            waiting(log, prefix, target);
            processLock.lockInterruptibly();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(target.stateDirectory().resolve(FILE_NAME), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                waiting(log, prefix, target);
                fileLock = channel.lock();
            }
            return new TargetLock(processLock, channel, fileLock);
        } catch (IOException | RuntimeException failure) {
            if (channel != null) {
                channel.close();
            }
            processLock.unlock();
            throw failure;
        }
    }

    private static void waiting(PrintWriter log, String prefix, TargetDirectory target) {
        log.println(prefix + "waiting for another sync of " + target.root() + " to finish");
        log.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            processLock.unlock();
        }
    }
}
