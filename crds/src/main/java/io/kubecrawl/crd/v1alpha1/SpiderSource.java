package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "has(self.configMap) != has(self.upload)",
        message = "exactly one of configMap or upload must be set", reason = "FieldValueInvalid")
public class SpiderSource {

    @JsonPropertyDescription("Take the bundle from a ConfigMap in the Spider's namespace: every key becomes a file, or "
            + "only the listed items, at the paths they name.")
    private ConfigMapSource configMap;

    @JsonPropertyDescription("Take the bundle from an archive uploaded with "
            + "PUT /api/v1/namespaces/{namespace}/spiders/{name}/bundle.")
    private UploadSource upload;

    public ConfigMapSource getConfigMap() {
        return configMap;
    }

    public void setConfigMap(ConfigMapSource configMap) {
        this.configMap = configMap;
    }

    public UploadSource getUpload() {
        return upload;
    }

    public void setUpload(UploadSource upload) {
        this.upload = upload;
    }
}
