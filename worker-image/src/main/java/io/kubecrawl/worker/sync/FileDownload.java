package io.kubecrawl.worker.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Optional;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.Sha256;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.ReadFileRequest;

/**
 * One file of the bundle brought into place. Each {@link #attempt()} writes to the part file beside the final file,
 * streaming chunks straight to disk and hashing them as they are written; it resumes from the bytes the part file
 * already holds (hashing that prefix first), and asks the server only for the rest. At the end the content must hash
 * to the manifest's sha256 (if not, the part file is deleted and the next attempt starts from zero), and the mode is
 * set. {@link #commit} then fsyncs the part file and renames it atomically onto its final name. So the final name only
 * ever holds verified content.
 */
final class FileDownload {
    private final BundleFile file;
    private final Path finalPath;
    private final Path partPath;
    private final TargetDirectory target;
    private final BundleClient client;
    private final SyncProgress progress;
    /** One receive buffer per fetching thread, grown to the largest chunk seen: the heap stays flat. */
    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[64 << 10]);
    private int attempts;
    private int hashMismatches;
    private long maxResumeOffset;
    /** Bytes of this file counted as progress since its part file was last discarded. */
    private long countedBytes;
    private Throwable batchFailure;

    FileDownload(BundleFile file, TargetDirectory target, BundleClient client, SyncProgress progress) {
        this.file = file;
        this.target = target;
        this.finalPath = target.resolve(file.path());
        this.partPath = PartFile.of(finalPath);
        this.client = client;
        this.progress = progress;
    }

    BundleFile file() {
        return file;
    }

    int attempts() {
        return attempts;
    }

    int hashMismatches() {
        return hashMismatches;
    }

    /** The largest offset an attempt resumed from (0 when every attempt started from the beginning). */
    long maxResumeOffset() {
        return maxResumeOffset;
    }

    /** A part file whose content passed the sha256 check and has its mode, still open: {@link #commit} finishes it. */
    static final class Verified {
        private final FileChannel channel;

        private Verified(FileChannel channel) {
            this.channel = channel;
        }
    }

    /**
     * One attempt: brings the part file to the full, verified content and sets its mode.
     *
     * @return the part file, open, for {@link #commit}
     * @throws TransientFailure when the stream broke or the content failed its check: another attempt may succeed
     * @throws StatusRuntimeException when the call failed (transient or not: see {@link Failures})
     * @throws IOException when the local file system fails
     */
    Verified attempt() throws IOException, TransientFailure, InterruptedException {
        attempts++;
        target.createParents(finalPath);
        MessageDigest digest = Sha256.newDigest();
        FileChannel part = FileChannel.open(partPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        boolean verified = false;
        try {
            long held = part.size();
            if (held > file.size()) {
                part.truncate(0);
                held = 0;
            }
            if (file.size() - held >= DirectPartWriter.MIN_FILE_BYTES) {
                long aligned = DirectPartWriter.alignedStart(partPath, held);
                if (aligned != held) {
                    part.truncate(aligned); // direct writes resume at a block boundary
                    held = aligned;
                }
            }
            if (countedBytes > held) {
                // An earlier attempt counted bytes the part file does not hold: direct writes keep only whole
                // buffers, and a resume starts at a block boundary. They are fetched, and counted, again.
                progress.discardBytes(countedBytes - held);
                countedBytes = held;
            }
            if (held > 0) {
                LocalTree.hashPrefix(part, held, digest);
                maxResumeOffset = Math.max(maxResumeOffset, held);
            }
            long position = held;
            if (position < file.size()) {
                try {
                    position += receive(part, position, digest);
                } catch (StatusRuntimeException failure) {
                    if (failure.getStatus().getCode() == Status.Code.OUT_OF_RANGE && position > 0) {
                        part.close();
                        discardPart();
                        throw new TransientFailure.BrokenStream("the server refused to resume from offset " + position
                                + "; starting again from 0", failure);
                    }
                    throw failure;
                }
            }
            try {
                checkWhole(position, digest, "the stream ended after ");
            } catch (TransientFailure.HashMismatch mismatch) {
                part.close();
                discardPart(); // a resumed attempt must not start from content that is known to be wrong
                throw mismatch;
            }
            verified = true;
            return new Verified(part);
        } finally {
            if (!verified) {
                part.close();
            }
        }
    }

    /**
     * Makes a verified part file durable (fsync, which also covers its mode) and renames it atomically onto the
     * final name, replacing whatever was there.
     *
     * @return the attributes of the file under its final name, for the hash cache
     */
    BasicFileAttributes commit(Verified verified) throws IOException {
        try (FileChannel part = verified.channel) {
            part.force(true);
        }
        Files.move(partPath, finalPath, StandardCopyOption.ATOMIC_MOVE);
        progress.fileDone();
        return Files.readAttributes(finalPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Streams the file from {@code offset} into {@code part}, a large file's bytes with direct I/O where the file
     * system takes it ({@link DirectPartWriter}); returns the number of bytes written.
     */
    private long receive(FileChannel part, long offset, MessageDigest digest)
            throws IOException, TransientFailure.BrokenStream, InterruptedException {
        long position = offset;
        Optional<DirectPartWriter> direct = file.size() - offset >= DirectPartWriter.MIN_FILE_BYTES
                ? DirectPartWriter.open(partPath, offset) : Optional.empty();
        Writeback writeback = direct.isPresent() ? null : Writeback.forFile(part, offset, file.size());
        try (ChunkStream<ReadFileRequest, FileChunk> stream = client.readFile(file.sha256(), offset)) {
            for (FileChunk chunk = stream.next(); chunk != null; chunk = stream.next()) {
                ByteString data = chunk.getData();
                int length = data.size();
                if (chunk.getOffset() != position) {
                    throw new TransientFailure.BrokenStream("a chunk of " + file.path() + " starts at offset "
                            + chunk.getOffset() + ", expected " + position);
                }
                if (position + length > file.size()) {
                    part.close();
                    discardPart();
                    throw new TransientFailure.BrokenStream("the server sent more than the " + file.size()
                            + " bytes of " + file.path());
                }
                if (direct.isPresent()) {
                    direct.get().write(data, digest);
                    position += length;
                    counted(length);
                } else {
                    position = writeHashed(part, position, data, digest);
                }
                if (writeback != null) {
                    writeback.written(position);
                }
            }
            if (direct.isPresent()) {
                direct.get().finish(); // the commit's fsync, through the other channel, covers these writes
            }
        } finally {
            if (direct.isPresent()) {
                direct.get().close();
            }
        }
        if (writeback != null) {
            writeback.check();
        }
        return position - offset;
    }

    /** Writes {@code data} at {@code position} of {@code part} while hashing it; returns the position after it. */
    private long writeHashed(FileChannel part, long position, ByteString data, MessageDigest digest)
            throws IOException {
        int length = data.size();
        byte[] buffer = BUFFERS.get();
        if (buffer.length < length) {
            buffer = new byte[Integer.highestOneBit(length - 1) << 1];
            BUFFERS.set(buffer);
        }
        data.copyTo(buffer, 0);
        Hashing.update(digest, buffer, 0, length);
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
        long end = position;
        while (bytes.hasRemaining()) {
            end += part.write(bytes, end);
        }
        counted(length);
        return end;
    }

    private void counted(int length) {
        progress.addBytes(length);
        countedBytes += length;
    }

    /**
     * Starts receiving the whole file from a batched call (ReadFiles, see {@link FileGroupDownload}). It counts as one
     * attempt of this file, so a file that keeps failing gets no more attempts in all than one fetched on its own. A
     * batched call always sends a file from its first byte, so a part file an earlier sync left is emptied.
     */
    WholeFile receiveWhole() throws IOException {
        attempts++;
        target.createParents(finalPath);
        FileChannel part = FileChannel.open(partPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        return new WholeFile(part);
    }

    /** The failure of this file's last attempt in a batched call, reported if it has no attempt left after it. */
    Throwable batchFailure() {
        return batchFailure;
    }

    void failedInBatch(Throwable failure) {
        batchFailure = failure;
    }

    /**
     * The file arriving in a batched call: its chunks are written to the part file and hashed as they come, as in
     * {@link #attempt()}; {@link #verify()} checks the whole. Closing it before it is verified deletes the part file.
     */
    final class WholeFile implements AutoCloseable {
        private final FileChannel part;
        private final MessageDigest digest = Sha256.newDigest();
        private long position;
        private boolean verified;

        private WholeFile(FileChannel part) {
            this.part = part;
        }

        void write(long offset, ByteString data) throws IOException, TransientFailure.BrokenStream {
            if (offset != position) {
                throw new TransientFailure.BrokenStream("a chunk of " + file.path() + " starts at offset " + offset
                        + ", expected " + position);
            }
            if (position + data.size() > file.size()) {
                throw new TransientFailure.BrokenStream("the server sent more than the " + file.size() + " bytes of "
                        + file.path());
            }
            position = writeHashed(part, position, data, digest);
        }

        /** After the file's last chunk: its content must be whole and hash to the manifest's sha256. */
        Verified verify() throws IOException, TransientFailure {
            checkWhole(position, digest, "the last chunk of " + file.path() + " ends at ");
            verified = true;
            return new Verified(part);
        }

        @Override
        public void close() throws IOException {
            if (!verified) {
                part.close();
                discardPart();
            }
        }
    }

    /**
     * The part file holds the whole file ({@code position} bytes of it were written) and hashes to the manifest's
     * sha256: it then gets the file's mode.
     *
     * @param shortfall how a message saying the part file is short begins (its position and the size follow)
     */
    private void checkWhole(long position, MessageDigest digest, String shortfall) throws IOException,
            TransientFailure {
        if (position != file.size()) {
            throw new TransientFailure.BrokenStream(shortfall + position + " of " + file.size() + " bytes");
        }
        String actual = Sha256.hex(digest);
        if (!actual.equals(file.sha256())) {
            hashMismatches++;
            throw new TransientFailure.HashMismatch("file " + file.path() + " has sha256 " + actual
                    + ", the manifest says " + file.sha256());
        }
        Files.setPosixFilePermissions(partPath, Modes.toPermissions(file.mode()));
    }

    private void discardPart() throws IOException {
        Files.deleteIfExists(partPath);
        progress.discardBytes(countedBytes);
        countedBytes = 0;
    }
}
