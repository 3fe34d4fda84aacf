package io.kubecrawl.operator.upload;

import java.util.function.LongSupplier;

/**
 * The most bytes content may unpack to per compressed byte it comes from, checked as it is read, as hardened zip
 * readers do (Apache POI's ZipSecureFile, for one): zeros deflate a thousandfold, so without it a 2 MiB upload
 * makes the operator inflate and store 2 GiB, under the unpacked limit. For a zip the check is per entry, against the
 * entry's compressed bytes; for a {@code .tar.gz}, which has no compressed sizes per entry, and for a zip as a whole
 * (whose entries may share compressed bytes), against the bytes received.
 */
final class CompressionRatio {

    /**
     * Content is judged only once it has unpacked to more than this: the ratio of a small content says little (a few
     * KiB of zeros deflate a hundredfold already), and its unpacking costs nothing.
     */
    static final long GRACE_BYTES = 1 << 20;

    private final int maxRatio;
    private final LongSupplier compressedBytes;
    private final String content;
    private final String source;

    private CompressionRatio(int maxRatio, LongSupplier compressedBytes, String content, String source) {
        this.maxRatio = maxRatio;
        this.compressedBytes = compressedBytes;
        this.content = content;
        this.source = source;
    }

    /** One zip entry, against the compressed bytes of it read so far. */
    static CompressionRatio ofEntry(int maxRatio, LongSupplier compressedBytes) {
        return new CompressionRatio(maxRatio, compressedBytes, "it unpacks", "its compressed size");
    }

    /** All the files of an archive, against the bytes of the archive received so far. */
    static CompressionRatio ofArchive(int maxRatio, LongSupplier receivedBytes) {
        return new CompressionRatio(maxRatio, receivedBytes, "the archive's files unpack", "the bytes received");
    }

    /** @param unpackedBytes what the content has unpacked to so far */
    void check(long unpackedBytes) throws CompressionRatioException {
        if (unpackedBytes <= GRACE_BYTES) {
            return;
        }
        long compressed = compressedBytes.getAsLong();
        // In doubles: the limit times the compressed bytes may pass a long's range.
        if (unpackedBytes > (double) maxRatio * compressed) {
            throw new CompressionRatioException(content + " to more than " + maxRatio + " times " + source + " ("
                    + unpackedBytes + " bytes from " + compressed + "), the most the operator accepts "
                    + "(kubecrawl.upload.max-compression-ratio)");
        }
    }
}
