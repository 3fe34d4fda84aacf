package io.kubecrawl.operator.upload;

/**
 * What one uploaded archive may hold, whatever its compressed size.
 *
 * @param maxEntries most entries (files, directories, anything): bounds the memory the manifest takes
 * @param maxUnpackedBytes most bytes its files add up to once unpacked: a small archive of zeros unpacks to
 *        terabytes, and would fill the operator's volume
 */
public record ArchiveLimits(int maxEntries, long maxUnpackedBytes) {
}
