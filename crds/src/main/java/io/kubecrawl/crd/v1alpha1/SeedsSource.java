package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "has(self.configMapKeyRef) != has(self.bundleFile)",
        message = "exactly one of configMapKeyRef and bundleFile must be set", reason = "FieldValueInvalid")
public class SeedsSource {

    @JsonPropertyDescription("The ConfigMap key holding the seeds.")
    private ConfigMapKeyReference configMapKeyRef;

    @Size(min = 1, max = 4096)
    @JsonPropertyDescription("Path of a file in the Spider's bundle holding the seeds, such as seeds/urls.txt. It is "
            + "read from the bundle the job pins, so the seeds cannot change while the job runs.")
    private String bundleFile;

    public SeedsSource() {
    }

    public SeedsSource(ConfigMapKeyReference configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }

    /** Seeds read from the file at {@code path} in the Spider's bundle. */
    public static SeedsSource bundleFile(String path) {
        SeedsSource source = new SeedsSource();
        source.setBundleFile(path);
        return source;
    }

    public ConfigMapKeyReference getConfigMapKeyRef() {
        return configMapKeyRef;
    }

    public void setConfigMapKeyRef(ConfigMapKeyReference configMapKeyRef) {
        this.configMapKeyRef = configMapKeyRef;
    }

    public String getBundleFile() {
        return bundleFile;
    }

    public void setBundleFile(String bundleFile) {
        this.bundleFile = bundleFile;
    }
}
