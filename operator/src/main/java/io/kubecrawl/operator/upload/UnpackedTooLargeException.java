package io.kubecrawl.operator.upload;

import java.io.IOException;

/**
 * The files of an archive add up to more than {@link ArchiveLimits#maxUnpackedBytes()}. Thrown from within an entry's
 * content, so that it passes through whatever stores that content; {@link ArchiveReader} turns it into a refusal of
 * the entry at which the limit was passed.
 */
final class UnpackedTooLargeException extends IOException {

    private final long limit;

    UnpackedTooLargeException(long limit) {
        super("the archive's files add up to more than " + limit + " bytes");
        this.limit = limit;
    }

    /** Why the entry is refused, for {@link ArchiveEntryProblem}. */
    String reason() {
        return "the archive's files add up to more than " + limit + " bytes when unpacked, the most an upload may "
                + "hold (kubecrawl.upload.max-unpacked-bytes)";
    }
}
