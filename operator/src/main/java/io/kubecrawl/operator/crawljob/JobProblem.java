package io.kubecrawl.operator.crawljob;

/**
 * Something about a job's inputs that keeps it from running, found while observing it.
 *
 * @param reason one CamelCase word
 * @param message what happened and what to do
 * @param fatal whether the job fails (true) or waits for the user to fix it (false)
 */
public record JobProblem(String reason, String message, boolean fatal) {
}
