package io.kubecrawl.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Same shape as a ConfigMap volume projection, so that users can reuse what they know. */
public class ConfigMapSource {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Name of the ConfigMap, in the Spider's namespace.")
    private String name;

    @JsonPropertyDescription("Which keys become which files. When empty, every key becomes a file named after it.")
    private List<KeyToPath> items;

    @Min(0)
    @Max(511)
    @JsonPropertyDescription("File mode (as a decimal number, 420 = 0644) of files whose item sets none. Defaults to 420.")
    private Integer defaultMode;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<KeyToPath> getItems() {
        return items;
    }

    public void setItems(List<KeyToPath> items) {
        this.items = items;
    }

    public Integer getDefaultMode() {
        return defaultMode;
    }

    public void setDefaultMode(Integer defaultMode) {
        this.defaultMode = defaultMode;
    }
}
