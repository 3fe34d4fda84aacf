package io.kubecrawl.operator.upload;

import java.io.IOException;

/**
 * What an archive unpacks to passed one of {@link ArchiveLimits}. Thrown from within an entry's content, so that it
 * passes through whatever stores that content; {@link ArchiveReader} turns it into a refusal of the entry at which the
 * limit was passed.
 */
abstract class UnpackingLimitException extends IOException {

    UnpackingLimitException(String message) {
        super(message);
    }

    /** Why the entry is refused, for {@link ArchiveEntryProblem}. */
    abstract String reason();
}
