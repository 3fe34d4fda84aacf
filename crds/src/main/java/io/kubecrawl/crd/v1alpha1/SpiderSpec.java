package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class SpiderSpec {

    @Required
    @JsonPropertyDescription("The container image the spider runs in and the command that starts it on one batch.")
    private SpiderRuntime runtime;

    @Required
    @JsonPropertyDescription("Where the spider's files (its bundle) come from: exactly one of configMap or upload.")
    private SpiderSource source;

    public SpiderRuntime getRuntime() {
        return runtime;
    }

    public void setRuntime(SpiderRuntime runtime) {
        this.runtime = runtime;
    }

    public SpiderSource getSource() {
        return source;
    }

    public void setSource(SpiderSource source) {
        this.source = source;
    }
}
