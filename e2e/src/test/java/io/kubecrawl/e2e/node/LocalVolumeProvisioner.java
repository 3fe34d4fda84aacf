package io.kubecrawl.e2e.node;

import java.nio.file.Path;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * A provisioner of node-local volumes, as local-path-provisioner is on k3s: for each claim that no volume is bound
 * to, a hostPath PersistentVolume under the node's directory, reserved for that claim. The controller manager's PV
 * binder then binds the two, as on any cluster.
 */
final class LocalVolumeProvisioner implements AutoCloseable {
    private final KubernetesClient client;
    private final Path volumes;
    private SharedIndexInformer<PersistentVolumeClaim> claims;

    LocalVolumeProvisioner(KubernetesClient client, Path volumes) {
        this.client = client;
        this.volumes = volumes;
    }

    void start() {
        // A deleted claim's volume is kept, as with the Retain policy: a test may reinstall and find its data again.
        claims = client.persistentVolumeClaims().inAnyNamespace().inform(new AddOrUpdate<>(this::provision));
    }

    private void provision(PersistentVolumeClaim claim) {
        if (claim.getSpec().getVolumeName() != null && !claim.getSpec().getVolumeName().isEmpty()
                || claim.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String name = "local-" + claim.getMetadata().getUid();
        if (client.persistentVolumes().withName(name).get() != null) {
            return;
        }
        Quantity size = claim.getSpec().getResources().getRequests().get("storage");
        PersistentVolume volume = new PersistentVolumeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", size))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withStorageClassName(claim.getSpec().getStorageClassName() == null ? ""
                        : claim.getSpec().getStorageClassName())
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath().withPath(volumes.resolve(name).toString()).withType("DirectoryOrCreate")
                .endHostPath()
                .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
                .endSpec()
                .build();
        try {
            client.persistentVolumes().resource(volume).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) { // 409: made already, on an earlier event of the same claim
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (claims != null) {
            claims.close();
        }
    }
}
