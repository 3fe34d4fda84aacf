package io.kubecrawl.operator.upload;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Counts the entries of a spooled zip's central directory without keeping them, before commons-compress's
 * {@code ZipFile} loads them all into memory: a small archive can list millions of tiny entries, and that memory
 * must be refused before it is taken, not after.
 */
final class ZipCentralDirectory {

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int END_LENGTH = 22;
    private static final int MAX_COMMENT = 0xffff;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_LOCATOR_LENGTH = 20;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int FILE_HEADER_SIGNATURE = 0x02014b50;
    private static final int FILE_HEADER_LENGTH = 46;

    private ZipCentralDirectory() {
    }

    /**
     * @throws RejectedArchiveException naming the first entry past {@code maxEntries}
     * @throws ArchiveReadException when the file has no readable central directory
     */
    static void checkEntryCount(Path zip, int maxEntries) throws IOException, RejectedArchiveException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            long start = centralDirectoryOffset(channel);
            channel.position(start);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 65536));
            byte[] header = new byte[FILE_HEADER_LENGTH];
            ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int count = 0;
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException end) {
                    return;
                }
                if (fields.getInt(0) != FILE_HEADER_SIGNATURE) {
                    return;
                }
                int nameLength = Short.toUnsignedInt(fields.getShort(28));
                int extraLength = Short.toUnsignedInt(fields.getShort(30));
                int commentLength = Short.toUnsignedInt(fields.getShort(32));
                byte[] name = new byte[nameLength];
                try {
                    in.readFully(name);
                    count++;
                    if (count > maxEntries) {
                        throw BundleTreeRules.refused(new String(name, StandardCharsets.UTF_8), "the archive holds "
                                + "more than " + maxEntries + " entries, the most the operator accepts "
                                + "(kubecrawl.upload.max-entries)");
                    }
                    skipFully(in, (long) extraLength + commentLength);
                } catch (EOFException truncated) {
                    throw new ArchiveReadException("the zip archive's central directory ends early", truncated);
                }
            }
        }
    }

    /** Where the central directory starts, from the end record (or its zip64 version) at the end of the file. */
    private static long centralDirectoryOffset(FileChannel channel) throws IOException {
        long size = channel.size();
        int tailLength = (int) Math.min(size, END_LENGTH + MAX_COMMENT);
        if (tailLength < END_LENGTH) {
            throw new ArchiveReadException("the body is too short to be a zip archive");
        }
        ByteBuffer tail = read(channel, size - tailLength, tailLength);
        for (int at = tailLength - END_LENGTH; at >= 0; at--) {
            if (tail.getInt(at) != END_SIGNATURE) {
                continue;
            }
            long offset = Integer.toUnsignedLong(tail.getInt(at + 16));
            long endPosition = size - tailLength + at;
            if (offset != 0xffffffffL || endPosition < ZIP64_LOCATOR_LENGTH) {
                return offset;
            }
            ByteBuffer locator = read(channel, endPosition - ZIP64_LOCATOR_LENGTH, ZIP64_LOCATOR_LENGTH);
            if (locator.getInt(0) != ZIP64_LOCATOR_SIGNATURE) {
                return offset;
            }
            long zip64End = locator.getLong(8);
            if (zip64End < 0 || zip64End > size - 56) {
                throw new ArchiveReadException("the zip64 end record lies outside the archive");
            }
            ByteBuffer end = read(channel, zip64End, 56);
            if (end.getInt(0) != ZIP64_END_SIGNATURE) {
                throw new ArchiveReadException("the zip64 end record is missing");
            }
            return end.getLong(48);
        }
        throw new ArchiveReadException("no end of central directory record: the body is not a zip archive, or the "
                + "upload was cut off or the file is truncated");
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new ArchiveReadException("the zip archive ends early");
            }
        }
        return buffer;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
