package io.kubecrawl.e2e.node;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A container's environment as a kubelet builds it: the API server's address, {@code envFrom}, then {@code env} in
 * order, with {@code $(NAME)} references to earlier variables expanded and values taken from the pod's fields,
 * Secrets and ConfigMaps, read with the node's own identity (the Node authorizer lets it read only what its pods
 * reference).
 */
final class PodEnvironment {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    private final KubernetesClient client;
    private final int apiServerPort;

    PodEnvironment(KubernetesClient client, int apiServerPort) {
        this.client = client;
        this.apiServerPort = apiServerPort;
    }

    Map<String, String> of(Pod pod, Container container) {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        // Set whatever enableServiceLinks says: clients in the pod find the API server by these.
        env.put("KUBERNETES_SERVICE_HOST", TestNode.ADDRESS);
        env.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiServerPort));
        env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(apiServerPort));
        for (EnvFromSource source : list(container.getEnvFrom())) {
            String prefix = source.getPrefix() == null ? "" : source.getPrefix();
            if (source.getConfigMapRef() != null) {
                ConfigMap configMap = client.configMaps().inNamespace(namespace)
                        .withName(source.getConfigMapRef().getName()).get();
                if (configMap != null && configMap.getData() != null) {
                    configMap.getData().forEach((key, value) -> env.put(prefix + key, value));
                }
            }
            if (source.getSecretRef() != null) {
                Secret secret = client.secrets().inNamespace(namespace).withName(source.getSecretRef().getName())
                        .get();
                if (secret != null && secret.getData() != null) {
                    secret.getData().forEach((key, value) -> env.put(prefix + key, decode(value)));
                }
            }
        }
        for (EnvVar var : list(container.getEnv())) {
            String value = valueOf(pod, var, env);
            if (value != null) {
                env.put(var.getName(), value);
            }
        }
        return env;
    }

    private String valueOf(Pod pod, EnvVar var, Map<String, String> earlier) {
        if (var.getValueFrom() == null) {
            return expand(var.getValue() == null ? "" : var.getValue(), earlier);
        }
        String namespace = pod.getMetadata().getNamespace();
        var from = var.getValueFrom();
        if (from.getFieldRef() != null) {
            return PodFields.value(pod, from.getFieldRef().getFieldPath());
        }
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
            String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
            if (encoded == null) {
                return missing(Boolean.TRUE.equals(ref.getOptional()), "key " + ref.getKey() + " of Secret "
                        + ref.getName());
            }
            return decode(encoded);
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
            String value = configMap == null || configMap.getData() == null ? null
                    : configMap.getData().get(ref.getKey());
            if (value == null) {
                return missing(Boolean.TRUE.equals(ref.getOptional()), "key " + ref.getKey() + " of ConfigMap "
                        + ref.getName());
            }
            return value;
        }
        throw new IllegalArgumentException("env " + var.getName() + " takes its value from a source the test node "
                + "does not provide");
    }

    /** A missing optional key leaves the variable out; a missing required one keeps the container from starting. */
    private static String missing(boolean optional, String what) {
        if (optional) {
            return null;
        }
        throw new IllegalStateException(what + " not found");
    }

    private static String expand(String value, Map<String, String> earlier) {
        Matcher reference = REFERENCE.matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (reference.find()) {
            String replacement = earlier.getOrDefault(reference.group(1), reference.group());
            reference.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
        }
        reference.appendTail(expanded);
        return expanded.toString();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}
