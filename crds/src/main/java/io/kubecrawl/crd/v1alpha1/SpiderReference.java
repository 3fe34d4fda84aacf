package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class SpiderReference {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Name of the Spider.")
    private String name;

    public SpiderReference() {
    }

    public SpiderReference(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
