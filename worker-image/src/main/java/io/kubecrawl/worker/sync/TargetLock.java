package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One sync at a time per target directory: a lock on {@code .kubecrawl/lock} keeps out other processes (the kernel
 * releases it when a process dies, so it never goes stale), and an in-process lock keeps out other syncs of this JVM,
 * which a file lock does not. A second sync waits, then finds the bundle in place and has nothing to do.
 */
final class TargetLock implements AutoCloseable {
    static final String FILE_NAME = "lock";
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock processLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private TargetLock(ReentrantLock processLock, FileChannel channel, FileLock fileLock) {
        this.processLock = processLock;
        this.channel = channel;
        this.fileLock = fileLock;
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
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
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
