package io.kubecrawl.operator.tls;

import java.time.Duration;
import java.util.List;

import io.kubecrawl.operator.config.OperatorSettings;

/**
 * Where the gRPC serving certificate lives and how it is kept: the Secret, whether the operator issues it, the names
 * it must carry, how long certificates last and when they are renewed.
 */
public record ServingCertificatePolicy(String namespace, String secretName, boolean generate, List<String> names,
        Duration validity, Duration caValidity, Duration renewBefore, Duration checkInterval) {

    public ServingCertificatePolicy {
        names = List.copyOf(names);
        if (renewBefore.isNegative() || renewBefore.isZero() || renewBefore.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("kubecrawl.grpc.tls.renew-before (" + renewBefore
                    + ") must be positive and shorter than the validity (" + validity + ")");
        }
    }

    static ServingCertificatePolicy of(OperatorSettings settings, String defaultNamespace) {
        OperatorSettings.Grpc.Tls tls = settings.grpc().tls();
        // An operator run outside a pod, on a kubeconfig context that names no namespace, works in "default", as
        // kubectl does there, rather than retrying a Secret in no namespace for ever.
        String namespace = tls.namespace().orElse(defaultNamespace == null ? "default" : defaultNamespace);
        return new ServingCertificatePolicy(namespace, tls.secret(), tls.generate(),
                ServingCertificateNames.of(settings.operator().grpcAddress(), tls.extraNames().orElse(List.of())),
                tls.validity(), tls.caValidity(), tls.renewBefore(), tls.checkInterval());
    }
}
