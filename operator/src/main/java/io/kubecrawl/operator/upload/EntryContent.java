package io.kubecrawl.operator.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The content of one archive entry as the bundle store reads it. Two differences from the archive's own stream:
 * closing it does not close the archive (the next entry follows), and any failure to read it is an
 * {@link ArchiveReadException}, so that a corrupt or interrupted archive is never mistaken for a failing disk. An
 * archive that ends inside the entry says so, with how far the entry got.
 */
final class EntryContent extends FilterInputStream {

    /** Counts the bytes every entry of one archive unpacks to, against the archive's limit and compression ratio. */
    static final class UnpackedBytes {
        private final long limit;
        private final CompressionRatio ratio;
        private long count;

        UnpackedBytes(long limit, CompressionRatio ratio) {
            this.limit = limit;
            this.ratio = ratio;
        }

        void add(long n) throws UnpackingLimitException {
            count += n;
            if (count > limit) {
                throw new UnpackedTooLargeException(limit);
            }
            ratio.check(count);
        }
    }

    private final String entry;
    private final long size;
    private final UnpackedBytes unpacked;
    private final BooleanSupplier archiveEnded;
    private final Optional<CompressionRatio> ratio;
    private long read;

    private EntryContent(InputStream archive, String entry, long size, UnpackedBytes unpacked,
            BooleanSupplier archiveEnded, Optional<CompressionRatio> ratio) {
        super(archive);
        this.entry = entry;
        this.size = size;
        this.unpacked = unpacked;
        this.archiveEnded = archiveEnded;
        this.ratio = ratio;
    }

    /**
     * An entry of a tar, read from the tar's stream.
     *
     * @param size the entry's size as the tar declares it
     * @param archiveEnded whether the tar's bytes have run out: then a failure to read is a cut-off archive
     */
    static EntryContent ofTar(InputStream tar, String entry, long size, UnpackedBytes unpacked,
            BooleanSupplier archiveEnded) {
        return new EntryContent(tar, entry, size, unpacked, archiveEnded, Optional.empty());
    }

    /**
     * An entry of a zip read from a file, whose table of contents was found: a zip that was cut off never gets here.
     *
     * @param size the entry's size as the zip declares it, or -1 when unknown
     * @param ratio the entry's own compression ratio limit
     */
    static EntryContent ofZip(InputStream content, String entry, long size, UnpackedBytes unpacked,
            CompressionRatio ratio) {
        return new EntryContent(content, entry, size, unpacked, () -> false, Optional.of(ratio));
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
            counted(1);
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
            counted(n);
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
            counted(skipped);
        }
        return skipped;
    }

    private void counted(long n) throws UnpackingLimitException {
        read += n;
        // The entry's own ratio first: it names the cause more precisely than the archive's.
        if (ratio.isPresent()) {
            ratio.get().check(read);
        }
        unpacked.add(n);
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
