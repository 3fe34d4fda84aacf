package io.kubecrawl.worker;

/**
 * A worker's validated identity and the way to its operator: what every gRPC call needs. Built by
 * {@link ConnectionOptions#validate}; its {@code toString} never shows the token.
 *
 * @param trust TLS against the operator's CA, or plaintext when the pod template asks for it
 */
public record Connection(OperatorAddress operator, String namespace, String job, String worker, TokenSource token,
        OperatorTrust trust) {
}
