package io.kubecrawl.operator.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the gRPC server presents and what workers trust: the serving certificate chain (leaf first) and its key, and
 * the CA certificates a worker verifies the chain against.
 */
public record ServingCertificate(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trust) {

    public ServingCertificate {
        chain = List.copyOf(chain);
        trust = List.copyOf(trust);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate chain needs its certificate");
        }
        if (trust.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs the CA workers trust");
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** Whether the certificate is still valid {@code renewBefore} from now: if not, it is time to renew it. */
    public boolean validFor(Duration renewBefore, Instant now) {
        return !now.isBefore(leaf().getNotBefore().toInstant()) && now.plus(renewBefore).isBefore(notAfter());
    }

    /** The CA as PEM, for the workers (key ca.crt of each job's Secret). */
    public String trustPem() {
        return Pem.certificates(trust);
    }

    /** Serial number and expiry, for the log: never the key. */
    @Override
    public String toString() {
        return "certificate " + leaf().getSerialNumber().toString(16) + " valid until " + notAfter();
    }
}
