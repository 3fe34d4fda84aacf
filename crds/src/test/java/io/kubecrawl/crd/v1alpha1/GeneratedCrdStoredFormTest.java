package io.kubecrawl.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated CRD YAML is what kube-apiserver stores, value for value, so that a server-side apply by a second
 * field manager (or after a client-side apply) sees no change to {@code .spec.versions} and no conflict.
 */
class GeneratedCrdStoredFormTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void printerColumnsCarryNoZeroPriority(String file) throws IOException {
        List<String> zeroPriorities = new ArrayList<>();
        for (JsonNode version : read(file).at("/spec/versions")) {
            for (JsonNode column : version.path("additionalPrinterColumns")) {
                if (column.has("priority") && column.get("priority").asLong() == 0) {
                    zeroPriorities.add(column.get("name").asText());
                }
            }
        }
        assertThat(zeroPriorities).as("columns with priority 0, which the server drops").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void integralNumbersAreWrittenAsIntegers(String file) throws IOException {
        List<String> written = new ArrayList<>();
        collectIntegralFloats("", read(file), written);
        assertThat(written).as("integral numbers written with a fraction, which the server stores as integers")
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void defaultsTheServerFillsInAreWrittenOut(String file) throws IOException {
        JsonNode spec = read(file).get("spec");
        assertThat(spec.at("/names/listKind").asText()).isEqualTo(spec.at("/names/kind").asText() + "List");
        assertThat(spec.at("/conversion/strategy").asText()).isEqualTo("None");
    }

    private static void collectIntegralFloats(String path, JsonNode node, List<String> found) {
        if (node.isFloatingPointNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0) {
            found.add(path + ": " + node.asText());
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                collectIntegralFloats(path + "." + field.getKey(), field.getValue(), found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectIntegralFloats(path + "[" + i + "]", node.get(i), found);
            }
        }
    }

    private static JsonNode read(String file) throws IOException {
        return new YAMLMapper().readTree(GENERATED.resolve(file).toFile());
    }
}
