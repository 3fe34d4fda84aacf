package io.kubecrawl.worker;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How the agent knows it talks to its operator: TLS, trusting only the certificate authority the operator put in the
 * job's Secret, or plaintext, which the pod template has to ask for explicitly. There is no third way (TLS trusting
 * any server, or the JVM's public CAs): a token sent to a server nobody vouched for is a token given away.
 */
public sealed interface OperatorTrust {

    /** Plaintext HTTP/2: only when the operator serves plaintext (the chart's {@code grpc.plaintext}). */
    static OperatorTrust plaintext() {
        return new Plaintext();
    }

    /**
     * TLS against the certificates of a PEM text (one CA, or several while one replaces another).
     *
     * @param source where the PEM came from, for messages ("environment variable KUBECRAWL_OPERATOR_CA")
     * @throws IllegalArgumentException if the text holds no certificate or a malformed one
     */
    static OperatorTrust certificateAuthority(String source, String pem) {
        List<X509Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException malformed) {
            throw new IllegalArgumentException("not a PEM certificate: " + malformed.getMessage(), malformed);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("holds no PEM certificate");
        }
        return new CertificateAuthority(source, certificates);
    }

    record Plaintext() implements OperatorTrust {
        @Override
        public String toString() {
            return "plaintext";
        }
    }

    /** @param source where the certificates came from, named in the messages of a failed handshake */
    record CertificateAuthority(String source, List<X509Certificate> certificates) implements OperatorTrust {
        public CertificateAuthority {
            certificates = List.copyOf(certificates);
        }

        @Override
        public String toString() {
            return "TLS trusting the CA of " + source;
        }
    }
}
