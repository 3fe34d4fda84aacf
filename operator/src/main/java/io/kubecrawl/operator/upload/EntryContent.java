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

    private final String entry;

    EntryContent(InputStream archive, String entry) {
        super(archive);
        this.entry = entry;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            throw tagged(e);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return super.read(buffer, offset, length);
        } catch (IOException e) {
            throw tagged(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw tagged(e);
        }
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
