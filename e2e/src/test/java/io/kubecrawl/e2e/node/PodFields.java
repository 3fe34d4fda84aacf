package io.kubecrawl.e2e.node;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Pod;

/** The values of a pod's fields that the downward API gives a container (env {@code fieldRef}, projected files). */
final class PodFields {
    private static final Pattern MAP_KEY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private PodFields() {
    }

    static String value(Pod pod, String fieldPath) {
        Matcher key = MAP_KEY.matcher(fieldPath);
        if (key.matches()) {
            Map<String, String> map = key.group(1).equals("labels") ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(key.group(2), "");
        }
        return switch (fieldPath) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
            case "status.hostIP", "status.podIP" -> TestNode.ADDRESS;
            default -> throw new IllegalArgumentException("field " + fieldPath
                    + " is not one the test node gives containers");
        };
    }
}
