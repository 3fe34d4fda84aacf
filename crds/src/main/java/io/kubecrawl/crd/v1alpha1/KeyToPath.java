package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

public class KeyToPath {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Key of the ConfigMap entry.")
    private String key;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Relative path of the file in the bundle, for example quotes/spiders/quotes.py. "
            + "It may not be absolute and may not contain '..'.")
    private String path;

    @Min(0)
    @Max(511)
    @JsonPropertyDescription("File mode as a decimal number (493 = 0755 for a script). Defaults to the source's defaultMode.")
    private Integer mode;

    public KeyToPath() {
    }

    public KeyToPath(String key, String path, Integer mode) {
        this.key = key;
        this.path = path;
        this.mode = mode;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public Integer getMode() {
        return mode;
    }

    public void setMode(Integer mode) {
        this.mode = mode;
    }
}
