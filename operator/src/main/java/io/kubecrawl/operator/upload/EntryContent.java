package io.kubecrawl.operator.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The content of one archive entry as the bundle store reads it. Two differences from the archive's own stream:
 * closing it does not close the archive (the next entry follows), and any failure to read it is an
 * {@link ArchiveReadException}, so that a corrupt or interrupted archive is never mistaken for a failing disk.
 */
final class EntryContent extends FilterInputStream {

    /** Counts the bytes every entry of one archive unpacks to, against the archive's limit. */
    static final class UnpackedBytes {
        private final long limit;
        private long count;

        UnpackedBytes(long limit) {
            this.limit = limit;
        }

        void add(long n) throws UnpackedTooLargeException {
            count += n;
            if (count > limit) {
                throw new UnpackedTooLargeException(limit);
            }
        }
    }

    private final String entry;
    private final UnpackedBytes unpacked;

    EntryContent(InputStream archive, String entry, UnpackedBytes unpacked) {
        super(archive);
        this.entry = entry;
        this.unpacked = unpacked;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            throw tagged(e);
        }
        if (b >= 0) {
            unpacked.add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            throw tagged(e);
        }
        if (n > 0) {
            unpacked.add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped;
        try {
            skipped = super.skip(n);
        } catch (IOException e) {
            throw tagged(e);
        }
        if (skipped > 0) {
            unpacked.add(skipped);
        }
        return skipped;
    }

    /** The entry's name as the archive spells it. */
    String entry() {
        return entry;
    }

    @Override
    public void close() {
        // The archive stays open for the entries after this one.
    }

    private IOException tagged(IOException e) {
        return e instanceof ArchiveReadException ? e
                : new ArchiveReadException("cannot read entry '" + ArchiveEntryProblem.printable(entry) + "': "
                        + e.getMessage(), e);
    }
}
