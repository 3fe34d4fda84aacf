package io.kubecrawl.crd.generation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.Spider;

/**
 * The build step after fabric8's CRD generator (see crds/pom.xml): orders each CRD's printer columns as declared and
 * puts the CRD in the form the API server stores, in place. It lives with the tests so that it never ships in the
 * crds jar, which the operator depends on.
 */
public final class GeneratedCrdPostProcessor {

    static final List<Class<? extends CustomResource<?, ?>>> RESOURCE_TYPES = List.of(CrawlJob.class, Spider.class);

    private GeneratedCrdPostProcessor() {
    }

    /** The one argument is the directory the generator wrote to. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GeneratedCrdPostProcessor <directory of generated CRDs>");
        }
        Path directory = Path.of(args[0]);
        Set<Path> processed = new HashSet<>();
        for (Class<? extends CustomResource<?, ?>> type : RESOURCE_TYPES) {
            Path file = directory.resolve(CustomResource.getCRDName(type) + "-v1.yml");
            ObjectNode crd = CrdYaml.read(file);
            PrinterColumnOrder.apply(crd, type);
            ApiServerStoredForm.apply(crd);
            CrdYaml.write(file, crd);
            processed.add(file);
        }
        // A resource type missing from the list above would otherwise ship its CRD unprocessed, silently.
        try (Stream<Path> files = Files.list(directory)) {
            Set<Path> unprocessed = files.filter(file -> file.toString().endsWith(".yml"))
                    .filter(file -> !processed.contains(file)).collect(Collectors.toSet());
            if (!unprocessed.isEmpty()) {
                throw new IllegalStateException("generated CRDs of resource types missing from "
                        + "GeneratedCrdPostProcessor.RESOURCE_TYPES: " + unprocessed);
            }
        }
    }
}
