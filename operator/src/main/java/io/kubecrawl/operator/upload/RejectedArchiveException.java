package io.kubecrawl.operator.upload;

import java.util.Optional;

/**
 * The upload is refused as a whole because of what its archive holds (an entry that could escape the bundle or is
 * no regular file, a repeated path, too many entries, no file at all). A client error: the HTTP API answers 400 with
 * {@link #getMessage()}. Nothing of the upload becomes visible.
 */
public class RejectedArchiveException extends Exception {

    private final transient ArchiveEntryProblem problem;

    public RejectedArchiveException(ArchiveEntryProblem problem) {
        super(problem.message());
        this.problem = problem;
    }

    /** A problem of the archive as a whole, not of one entry. */
    public RejectedArchiveException(String message) {
        super(message);
        this.problem = null;
    }

    /** The entry at fault, when one is. */
    public Optional<ArchiveEntryProblem> problem() {
        return Optional.ofNullable(problem);
    }
}
