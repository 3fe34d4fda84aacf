package io.kubecrawl.operator.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * The content of one archive entry as the bundle store reads it. Two differences from the archive's own stream:
 * closing it does not close the archive (the next entry follows), and any failure to read it is an
 * {@link ArchiveReadException}, so that a corrupt or interrupted archive is never mistaken for a failing disk. An
 * archive that ends inside the entry says so, with how far the entry got.
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
    private final long size;
    private final UnpackedBytes unpacked;
    private final BooleanSupplier archiveEnded;
    private long read;

    /**
     * @param size the entry's size as the archive declares it, or -1 when unknown
     * @param archiveEnded whether the archive's data has run out: then a failure to read is a cut-off archive
     */
    EntryContent(InputStream archive, String entry, long size, UnpackedBytes unpacked, BooleanSupplier archiveEnded) {
        super(archive);
        this.entry = entry;
        this.size = size;
        this.unpacked = unpacked;
        this.archiveEnded = archiveEnded;
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
            read++;
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
            read += n;
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
            read += skipped;
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
        if (e instanceof ArchiveReadException) {
            return e;
        }
        String name = ArchiveEntryProblem.printable(entry);
        if (archiveEnded.getAsBoolean()) {
            return ArchiveReadException.cutOff("inside entry '" + name + "' (after " + read
                    + (size >= 0 ? " of its " + size : "") + " bytes)", e);
        }
        return new ArchiveReadException("cannot read entry '" + name + "': " + ArchiveReadException.detail(e), e);
    }
}
