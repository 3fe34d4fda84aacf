package io.kubecrawl.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

public class SpiderRuntime {

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Container image of the worker pods. It must contain the kubecrawl-worker agent and the "
            + "spider's runtime (the kubecrawl worker image ships Python and Scrapy).")
    private String image;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Command that runs the spider on one batch, executed in the synced bundle directory "
            + "(/workspace). It reads the batch from KUBECRAWL_BATCH_FILE and writes items to KUBECRAWL_ITEMS_FILE.")
    private List<String> command;

    @JsonPropertyDescription("Arguments appended to command.")
    private List<String> args;

    @JsonPropertyDescription("Extra environment variables for the spider process. Names starting with KUBECRAWL_ are "
            + "reserved for the agent.")
    private List<EnvVar> env;

    @JsonPropertyDescription("CPU and memory requests and limits of each worker's main container.")
    private ResourceRequirements resources;

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public List<String> getCommand() {
        return command;
    }

    public void setCommand(List<String> command) {
        this.command = command;
    }

    public List<String> getArgs() {
        return args;
    }

    public void setArgs(List<String> args) {
        this.args = args;
    }

    public List<EnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }
}
