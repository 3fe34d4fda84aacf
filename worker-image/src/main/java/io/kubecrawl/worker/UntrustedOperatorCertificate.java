package io.kubecrawl.worker;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.kubecrawl.protocol.WorkerEnvironment;

/**
 * Recognises a failure to verify the operator's certificate: it was not signed by the CA the worker trusts, it does not
 * name the host the worker dialled, or it expired. No later attempt can cure that (the pod's CA is fixed when the pod
 * starts), so the agent stops at once with a one-line reason instead of retrying for minutes. A handshake the server
 * broke off (it has no certificate loaded yet, say) is not one of these and is retried like any unavailable server.
 */
public final class UntrustedOperatorCertificate {

    private UntrustedOperatorCertificate() {
    }

    /** The one-line reason, if {@code failure} (or one of its causes) is a failed verification of the server. */
    public static Optional<String> reason(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof CertPathValidatorException
                    || cause instanceof SSLPeerUnverifiedException) {
                return Optional.of("the operator's TLS certificate is not trusted (" + OneLine.of(
                        String.valueOf(cause.getMessage())) + "); the worker trusts only the CA in "
                        + WorkerEnvironment.OPERATOR_CA + " or --operator-ca-file, which the operator puts in the "
                        + "job's Secret (key " + WorkerEnvironment.CA_KEY + ")");
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }

    public static boolean isUntrusted(Throwable failure) {
        return reason(failure).isPresent();
    }
}
