package io.kubecrawl.e2e.node;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A pod's volumes as directories of the node, filled as a kubelet fills them: emptyDir empty, a claim's volume from
 * the PersistentVolume bound to it (the same directory for every pod that mounts the claim, so it outlives them),
 * Secrets and ConfigMaps as files, and the projected ServiceAccount volume with a token the API server issues for
 * this pod (TokenRequest, bound to the pod), the cluster's CA and the namespace.
 */
final class PodVolumes {
    private static final Duration CLAIM_BINDING_TIMEOUT = Duration.ofMinutes(1);
    private static final long TOKEN_SECONDS = 3607;

    private final KubernetesClient client;
    private final Path podDir;

    PodVolumes(KubernetesClient client, Path podDir) {
        this.client = client;
        this.podDir = podDir;
    }

    /** Prepares every volume of the pod and returns each one's directory by volume name. */
    Map<String, Path> prepare(Pod pod) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
        for (Volume volume : volumes) {
            dirs.put(volume.getName(), prepare(pod, volume));
        }
        return dirs;
    }

    private Path prepare(Pod pod, Volume volume) throws IOException {
        String namespace = pod.getMetadata().getNamespace();
        if (volume.getPersistentVolumeClaim() != null) {
            return claimDirectory(namespace, volume.getPersistentVolumeClaim().getClaimName());
        }
        Path dir = Files.createDirectories(podDir.resolve("volumes").resolve(volume.getName()));
        if (volume.getEmptyDir() != null) {
            return dir;
        }
        if (volume.getSecret() != null) {
            Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName())
                    .require();
            writeKeys(dir, decoded(secret), volume.getSecret().getItems());
            return dir;
        }
        if (volume.getConfigMap() != null) {
            ConfigMap configMap = client.configMaps().inNamespace(namespace)
                    .withName(volume.getConfigMap().getName()).require();
            writeKeys(dir, configMap.getData(), volume.getConfigMap().getItems());
            return dir;
        }
        if (volume.getProjected() != null) {
            for (VolumeProjection source : volume.getProjected().getSources()) {
                project(pod, source, dir);
            }
            return dir;
        }
        throw new IOException("volume " + volume.getName() + " of pod " + namespace + "/"
                + pod.getMetadata().getName() + " is of a kind this test node cannot provide");
    }

    private void project(Pod pod, VolumeProjection source, Path dir) throws IOException {
        String namespace = pod.getMetadata().getNamespace();
        if (source.getServiceAccountToken() != null) {
            var projection = source.getServiceAccountToken();
            TokenRequest request = new TokenRequestBuilder().withNewSpec()
                    .withAudiences(projection.getAudience() == null ? List.of() : List.of(projection.getAudience()))
                    .withExpirationSeconds(projection.getExpirationSeconds() == null ? TOKEN_SECONDS
                            : projection.getExpirationSeconds())
                    .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod")
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endBoundObjectRef()
                    .endSpec().build();
            String serviceAccount = pod.getSpec().getServiceAccountName() == null ? "default"
                    : pod.getSpec().getServiceAccountName();
            TokenRequest issued = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                    .tokenRequest(request);
            Files.writeString(dir.resolve(projection.getPath()), issued.getStatus().getToken());
        }
        if (source.getConfigMap() != null) {
            ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(source.getConfigMap().getName())
                    .require();
            writeKeys(dir, configMap.getData(), source.getConfigMap().getItems());
        }
        if (source.getSecret() != null) {
            Secret secret = client.secrets().inNamespace(namespace).withName(source.getSecret().getName()).require();
            writeKeys(dir, decoded(secret), source.getSecret().getItems());
        }
        if (source.getDownwardAPI() != null) {
            for (var item : source.getDownwardAPI().getItems()) {
                String value = PodFields.value(pod, item.getFieldRef().getFieldPath());
                Files.writeString(dir.resolve(item.getPath()), value);
            }
        }
    }

    /**
     * The directory of the PersistentVolume bound to the claim. Like a kubelet, the node waits for the binding (the
     * controller manager's PV binder makes it; {@link LocalVolumeProvisioner} provides the volumes).
     */
    private Path claimDirectory(String namespace, String claimName) throws IOException {
        PersistentVolumeClaim bound = await("claim " + namespace + "/" + claimName + " bound")
                .atMost(CLAIM_BINDING_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get(),
                        claim -> claim != null && claim.getStatus() != null
                                && "Bound".equals(claim.getStatus().getPhase()));
        PersistentVolume volume = client.persistentVolumes().withName(bound.getSpec().getVolumeName()).require();
        if (volume.getSpec().getHostPath() == null) {
            throw new IOException("volume " + volume.getMetadata().getName() + " of claim " + claimName
                    + " is not a hostPath volume this node can mount");
        }
        return Files.createDirectories(Path.of(volume.getSpec().getHostPath().getPath()));
    }

    private static Map<String, String> decoded(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> values.put(key,
                    new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }

    private static void writeKeys(Path dir, Map<String, String> data, List<KeyToPath> items) throws IOException {
        if (data == null) {
            return;
        }
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, String> entry : data.entrySet()) {
                Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
            }
            return;
        }
        for (KeyToPath item : items) {
            Path file = dir.resolve(item.getPath());
            Files.createDirectories(file.getParent());
            Files.writeString(file, data.get(item.getKey()));
        }
    }
}
