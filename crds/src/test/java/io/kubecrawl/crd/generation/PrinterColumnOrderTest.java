package io.kubecrawl.crd.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import org.junit.jupiter.api.Test;

class PrinterColumnOrderTest {

    @AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
    @AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp")
    private static final class Widget {
    }

    @Test
    void ordersColumnsAsDeclaredAndKeepsUndeclaredOnesAfterThem() throws IOException {
        ObjectNode crd = CrdYaml.parse("""
                spec:
                  versions:
                  - additionalPrinterColumns:
                    - jsonPath: ".metadata.creationTimestamp"
                      name: "Age"
                    - jsonPath: ".status.size"
                      name: "Size"
                    - jsonPath: ".status.phase"
                      name: "Phase"
                    name: "v1"
                """);

        PrinterColumnOrder.apply(crd, Widget.class);

        List<String> names = new ArrayList<>();
        crd.at("/spec/versions/0/additionalPrinterColumns").forEach(column -> names.add(column.get("name").asText()));
        assertThat(names).containsExactly("Phase", "Age", "Size");
    }
}
