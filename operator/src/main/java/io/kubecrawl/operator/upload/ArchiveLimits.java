package io.kubecrawl.operator.upload;

/**
 * What one uploaded archive may hold, whatever its compressed size.
 *
 * @param maxEntries most entries (files, directories, anything): bounds the memory the manifest takes
 * @param maxUnpackedBytes most bytes its files add up to once unpacked: a small archive of zeros unpacks to
 *        terabytes, and would fill the operator's volume
 * @param maxCompressionRatio most bytes unpacked per compressed byte, for a zip's every entry and for the archive as a
 *        whole against the bytes received: below the unpacked limit, a 2 MiB zip of zeros still unpacks to 2 GiB
 *        (see {@link CompressionRatio})
 */
public record ArchiveLimits(int maxEntries, long maxUnpackedBytes, int maxCompressionRatio) {
}
