package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The archive formats the upload API takes, told apart by their first bytes rather than by the Content-Type or a
 * file name: clients label archives inconsistently ({@code application/gzip}, {@code application/x-gzip},
 * {@code application/octet-stream}, none at all), and the bytes are what will be read.
 */
public enum ArchiveFormat {

    /** A gzip-compressed tar: read as it streams in, never stored whole. */
    TAR_GZ,
    /** A zip: its table of contents is at its end, so the body is spooled to the data volume first. */
    ZIP;

    /** As many bytes as {@link #sniff} needs. */
    public static final int MAGIC_LENGTH = 4;

    /**
     * The format of a body whose first bytes are {@code head}.
     *
     * @param head the first bytes, fewer than {@link #MAGIC_LENGTH} only if the body is that short
     */
    public static Optional<ArchiveFormat> sniff(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Optional.of(TAR_GZ);
        }
        // A local file header, or the end record of an empty zip.
        if (length >= 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
            return Optional.of(ZIP);
        }
        return Optional.empty();
    }

    /** Reads up to {@link #MAGIC_LENGTH} bytes: fewer only at the end of the stream. */
    static int readHead(InputStream in, byte[] head) throws IOException {
        int length = 0;
        while (length < MAGIC_LENGTH) {
            int n = in.read(head, length, MAGIC_LENGTH - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        return length;
    }
}
