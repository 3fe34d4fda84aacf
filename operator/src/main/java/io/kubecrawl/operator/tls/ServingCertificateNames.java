package io.kubecrawl.operator.tls;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The names the gRPC serving certificate must carry: every form of the operator Service's DNS name a worker pod may
 * dial ({@code name}, {@code name.namespace}, {@code name.namespace.svc}, {@code name.namespace.svc.cluster.local}),
 * derived from the address the operator gives the workers (kubecrawl.operator.grpc-address), plus any extra names.
 */
public final class ServingCertificateNames {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String CLUSTER_DOMAIN = "cluster.local";

    private ServingCertificateNames() {
    }

    /**
     * @param grpcAddress host:port the workers dial
     * @param extraNames further DNS names or IPv4 addresses (a Service reached another way, loopback in tests)
     */
    public static List<String> of(String grpcAddress, List<String> extraNames) {
        Set<String> names = new LinkedHashSet<>(serviceNames(host(grpcAddress)));
        extraNames.stream().map(String::strip).filter(name -> !name.isEmpty()).forEach(names::add);
        return List.copyOf(names);
    }

    static String host(String grpcAddress) {
        int colon = grpcAddress.lastIndexOf(':');
        String host = colon > 0 ? grpcAddress.substring(0, colon) : grpcAddress;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static List<String> serviceNames(String host) {
        String[] labels = host.split("\\.");
        boolean clusterLocal = host.endsWith(".svc." + CLUSTER_DOMAIN) && labels.length == 5;
        boolean svc = host.endsWith(".svc") && labels.length == 3;
        if (!clusterLocal && !svc) {
            return List.of(host);
        }
        String service = labels[0];
        String namespace = labels[1];
        List<String> names = new ArrayList<>();
        names.add(host);
        names.add(service + "." + namespace + ".svc");
        names.add(service + "." + namespace + ".svc." + CLUSTER_DOMAIN);
        names.add(service + "." + namespace);
        names.add(service);
        return List.copyOf(new LinkedHashSet<>(names));
    }

    /** A DNS name, or an IP address for an IPv4 literal, as a subject alternative name. */
    static GeneralName generalName(String name) {
        return IPV4.matcher(name).matches() ? new GeneralName(GeneralName.iPAddress, name)
                : new GeneralName(GeneralName.dNSName, name);
    }

    /** Whether the certificate names every one of {@code names} (DNS names and IP addresses alike). */
    static boolean covers(java.security.cert.X509Certificate certificate, List<String> names) {
        Set<String> present = new LinkedHashSet<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                certificate.getSubjectAlternativeNames().forEach(entry -> present.add(String.valueOf(entry.get(1))));
            }
        } catch (java.security.cert.CertificateParsingException malformed) {
            return false;
        }
        return present.containsAll(names);
    }
}
