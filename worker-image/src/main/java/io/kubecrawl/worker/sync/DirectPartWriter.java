package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import com.google.protobuf.ByteString;
import com.sun.nio.file.ExtendedOpenOption;

/**
 * Writes the rest of a large part file with direct I/O ({@code O_DIRECT}), past the page cache. A sync writes a large
 * file once and the spider reads little of it, so caching it buys nothing; and putting a gigabyte into the page cache
 * costs more than the copy itself where fresh memory is slow to come by (a VM whose free memory went back to its
 * host), after which the fsync before the rename still has to write all of it. Written directly, the data is on the
 * disk as it arrives and the fsync has only the metadata left.
 *
 * <p>Direct I/O wants the buffer's address, the file offset and the length aligned to the file system's block size.
 * The received bytes are gathered in an aligned buffer and written a whole buffer at a time; the last stretch is
 * padded to a block and the file then truncated to its size. Where the file system refuses {@code O_DIRECT} (tmpfs
 * before Linux 6.6, some overlay and network file systems), {@link #open} returns empty and the caller writes through
 * the page cache instead.
 */
final class DirectPartWriter implements AutoCloseable {
    /** Files from this size on are written directly, when the file system allows it. */
    static final long MIN_FILE_BYTES = 32L << 20;
    /** Bytes written per system call: large enough that the disk, not the call, sets the pace. */
    static final int BUFFER_BYTES = 4 << 20;
    /**
     * Files written directly at once, at most: their buffers live outside the heap, where a JVM has room for only as
     * much as its heap by default (64 MiB in a 64 MiB heap). The others go through the page cache.
     */
    static final int MAX_WRITERS = 4;
    private static final Semaphore WRITERS = new Semaphore(MAX_WRITERS);
    /** Buffers of writers that closed, kept for the next ones: at most {@value #MAX_WRITERS}. */
    private static final Queue<ByteBuffer> FREE_BUFFERS = new ConcurrentLinkedQueue<>();

    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final int blockSize;
    private long position;

    private DirectPartWriter(FileChannel channel, ByteBuffer buffer, int blockSize, long position) {
        this.channel = channel;
        this.buffer = buffer;
        this.blockSize = blockSize;
        this.position = position;
    }

    /**
     * Where a resumed direct write may start: the largest multiple of the file system's block size up to
     * {@code held} ({@code held} itself where the block size is unknown, since no direct write happens there).
     */
    static long alignedStart(Path part, long held) throws IOException {
        long block = blockSize(part);
        return block > 0 ? held - held % block : held;
    }

    /**
     * Opens {@code part} (which exists) for direct writes from {@code position}, a multiple of its file system's block
     * size ({@link #alignedStart}).
     *
     * @return empty when the file system does not take direct I/O, {@code position} is not aligned, or
     *         {@value #MAX_WRITERS} files are being written directly already
     */
    static Optional<DirectPartWriter> open(Path part, long position) throws IOException {
        long block = blockSize(part);
        if (block <= 0 || block > BUFFER_BYTES || BUFFER_BYTES % block != 0 || position % block != 0
                || !WRITERS.tryAcquire()) {
            return Optional.empty();
        }
        ByteBuffer buffer = null;
        FileChannel channel = null;
        try {
            buffer = buffer((int) block);
            channel = FileChannel.open(part, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS,
                    ExtendedOpenOption.DIRECT);
            return Optional.of(new DirectPartWriter(channel, buffer, (int) block, position));
        } catch (UnsupportedOperationException | IOException refused) {
            // EINVAL from open(2): this file system has no direct I/O. A real write failure shows up again on the
            // buffered path, which reports it.
            return Optional.empty();
        } finally {
            if (channel == null) { // no writer holds the buffer and the place, whatever went wrong
                if (buffer != null) {
                    FREE_BUFFERS.add(buffer);
                }
                WRITERS.release();
            }
        }
    }

    /** The file system's block size, or 0 when it does not say (a file system that is not the platform's own). */
    private static long blockSize(Path part) throws IOException {
        try {
            return Files.getFileStore(part).getBlockSize();
        } catch (UnsupportedOperationException unknown) {
            return 0;
        }
    }

    private static ByteBuffer buffer(int blockSize) {
        ByteBuffer buffer = FREE_BUFFERS.poll();
        if (buffer == null || buffer.alignmentOffset(0, blockSize) != 0 || buffer.capacity() % blockSize != 0) {
            buffer = ByteBuffer.allocateDirect(BUFFER_BYTES + blockSize).alignedSlice(blockSize);
        }
        return buffer.clear();
    }

    /** Appends {@code data} after what was written so far, feeding it to {@code digest} on the way. */
    void write(ByteString data, MessageDigest digest) throws IOException {
        int offset = 0;
        int size = data.size();
        while (offset < size) {
            int length = Math.min(buffer.remaining(), size - offset);
            int start = buffer.position();
            data.substring(offset, offset + length).copyTo(buffer);
            digest.update(buffer.duplicate().limit(start + length).position(start));
            offset += length;
            if (!buffer.hasRemaining()) {
                flush();
            }
        }
    }

    /**
     * Writes what is still buffered, padded with zeros to a whole block, and truncates the file to the bytes that
     * were written. The file may then still be in the disk's write cache: the caller's fsync covers it.
     *
     * @return the channel, open, for the caller's fsync
     */
    FileChannel finish() throws IOException {
        long end = position + buffer.position();
        if (buffer.position() > 0) {
            int padded = (buffer.position() + blockSize - 1) / blockSize * blockSize;
            while (buffer.position() < padded) {
                buffer.put((byte) 0);
            }
            flush();
        }
        channel.truncate(end);
        position = end;
        return channel;
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        buffer.clear();
    }

    /** Closes the file and hands the buffer to the next writer. Called once. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            FREE_BUFFERS.add(buffer);
            WRITERS.release();
        }
    }
}
