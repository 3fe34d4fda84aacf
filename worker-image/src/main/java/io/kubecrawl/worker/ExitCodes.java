package io.kubecrawl.worker;

/**
 * The agent's exit codes: the contract with the worker Job, whose pod failure policy tells a usage error (a bad pod
 * template, retrying cannot help) from a run that could not complete.
 */
public final class ExitCodes {
    public static final int DONE = 0;
    /** The same value picocli uses for invalid input, so that its own parse errors and ours agree. */
    public static final int USAGE = 2;
    public static final int CANNOT_COMPLETE = 3;

    // One line each of the "Exit codes:" section of every command's help, as picocli's "key:description".
    static final String DONE_HELP = "0:Done: sync put the whole bundle in place; run found the frontier drained.";
    static final String USAGE_HELP = "2:Usage error: a required option is missing or a value is malformed.";
    static final String CANNOT_COMPLETE_HELP = "3:Cannot complete: the work could not be finished; "
            + "the pod must not carry on as if it had been.";

    private ExitCodes() {
    }
}
