package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class ConfigMapKeyReference {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Name of the ConfigMap, in the CrawlJob's namespace.")
    private String name;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Key within the ConfigMap.")
    private String key;

    public ConfigMapKeyReference() {
    }

    public ConfigMapKeyReference(String name, String key) {
        this.name = name;
        this.key = key;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }
}
