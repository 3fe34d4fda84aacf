package io.kubecrawl.operator.frontier;

/** A seed line that cannot be a request; its message names the line so the user can fix it. */
public class InvalidSeedException extends RuntimeException {

    public InvalidSeedException(int line, String problem) {
        super("seed line " + line + ": " + problem);
    }
}
