package io.kubecrawl.operator.crawljob;

/**
 * How worker pods dial the operator's gRPC endpoint: TLS, trusting the CA in their job's Secret, or plaintext, which
 * the operator tells them explicitly (the agent refuses to guess).
 */
public enum WorkerTransport {
    TLS,
    PLAINTEXT
}
