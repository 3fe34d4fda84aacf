package io.kubecrawl.worker;

/**
 * A worker's validated identity and the way to its operator: what every gRPC call needs. Built by
 * {@link ConnectionOptions#validate}; its {@code toString} never shows the token.
 */
public record Connection(OperatorAddress operator, String namespace, String job, String worker, TokenSource token) {
}
