package io.kubecrawl.operator.tls;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

/**
 * The Secret that holds the gRPC serving certificate, in the layout of a {@code kubernetes.io/tls} Secret as
 * cert-manager writes it: {@code tls.crt} (chain, leaf first), {@code tls.key}, {@code ca.crt}. When the operator is
 * its own issuer it also keeps the CA's key there ({@code ca.key}), so that a restarted operator renews the serving
 * certificate under the same CA, which the Secrets of running jobs hand to their workers.
 */
public final class ServingCertificateSecret {
    public static final String TLS_TYPE = "kubernetes.io/tls";
    public static final String CERTIFICATE_KEY = "tls.crt";
    public static final String PRIVATE_KEY_KEY = "tls.key";
    public static final String CA_CERTIFICATE_KEY = "ca.crt";
    public static final String CA_PRIVATE_KEY_KEY = "ca.key";
    public static final Map<String, String> LABELS = Map.of("app.kubernetes.io/part-of", "kubecrawl",
            "app.kubernetes.io/component", "grpc-tls");

    private ServingCertificateSecret() {
    }

    /** What the operator writes when it is its own issuer. */
    public static Secret build(String namespace, String name, GrpcCertificateAuthority authority,
            ServingCertificate serving) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CERTIFICATE_KEY, base64(Pem.certificates(serving.chain())));
        data.put(PRIVATE_KEY_KEY, base64(Pem.privateKey(serving.key())));
        data.put(CA_CERTIFICATE_KEY, base64(Pem.certificates(List.of(authority.certificate()))));
        data.put(CA_PRIVATE_KEY_KEY, base64(Pem.privateKey(authority.key())));
        return new SecretBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(LABELS).endMetadata()
                .withType(TLS_TYPE)
                .withData(data)
                .build();
    }

    /**
     * The serving certificate the Secret holds.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static ServingCertificate servingCertificate(Secret secret) {
        return new ServingCertificate(Pem.readCertificates(text(secret, CERTIFICATE_KEY)),
                Pem.readPrivateKey(text(secret, PRIVATE_KEY_KEY)), Pem.readCertificates(text(secret, CA_CERTIFICATE_KEY)));
    }

    /** The CA the operator made, if the Secret holds one whole (certificate and key). */
    public static Optional<GrpcCertificateAuthority> authority(Secret secret) {
        try {
            return Optional.of(new GrpcCertificateAuthority(Pem.readCertificates(text(secret, CA_CERTIFICATE_KEY)).get(0),
                    Pem.readPrivateKey(text(secret, CA_PRIVATE_KEY_KEY))));
        } catch (IllegalArgumentException incomplete) {
            return Optional.empty();
        }
    }

    private static String text(Secret secret, String key) {
        String value = secret.getData() == null ? null : secret.getData().get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Secret " + secret.getMetadata().getName() + " has no " + key);
        }
        return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
