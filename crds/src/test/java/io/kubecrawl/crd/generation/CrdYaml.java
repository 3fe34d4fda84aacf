package io.kubecrawl.crd.generation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Reads and writes a CRD file as a plain tree, so that numbers keep the form they are written in. */
final class CrdYaml {

    private static final String HEADER = """
            # Generated from the Java types in crds/src/main/java by fabric8's CRDGenerator, then put in the form the
            # API server stores (crds/src/test/java/io/kubecrawl/crd/generation). Edit the types, not this file.
            """;

    // Sorted keys, as fabric8 writes them, so that a key this step adds lands where a reader expects it.
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true)
            .build();

    private CrdYaml() {
    }

    static ObjectNode read(Path file) throws IOException {
        return (ObjectNode) MAPPER.readTree(file.toFile());
    }

    static ObjectNode parse(String yaml) throws IOException {
        return (ObjectNode) MAPPER.readTree(yaml);
    }

    static String format(ObjectNode crd) throws IOException {
        return HEADER + MAPPER.writeValueAsString(crd);
    }

    static void write(Path file, ObjectNode crd) throws IOException {
        Files.writeString(file, format(crd));
    }
}
