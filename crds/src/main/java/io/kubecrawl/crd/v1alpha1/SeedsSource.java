package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class SeedsSource {

    @Required
    @JsonPropertyDescription("The ConfigMap key holding the seeds.")
    private ConfigMapKeyReference configMapKeyRef;

    public SeedsSource() {
    }

    public SeedsSource(ConfigMapKeyReference configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }

    public ConfigMapKeyReference getConfigMapKeyRef() {
        return configMapKeyRef;
    }

    public void setConfigMapKeyRef(ConfigMapKeyReference configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }
}
