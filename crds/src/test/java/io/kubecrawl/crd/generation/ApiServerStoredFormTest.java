package io.kubecrawl.crd.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ApiServerStoredFormTest {

    private static final String CRD = """
            apiVersion: "apiextensions.k8s.io/v1"
            kind: "CustomResourceDefinition"
            metadata:
              name: "widgets.example.com"
            spec:
              group: "example.com"
              names:
                kind: "Widget"
                plural: "widgets"
                singular: "widget"
              scope: "Namespaced"
              versions:
              - additionalPrinterColumns:
                - jsonPath: ".status.phase"
                  name: "Phase"
                  priority: 0
                  type: "string"
                - jsonPath: ".status.detail"
                  name: "Detail"
                  priority: 1
                  type: "string"
                name: "v1"
                schema:
                  openAPIV3Schema:
                    properties:
                      spec:
                        properties:
                          count:
                            default: 2
                            maximum: 100000.0
                            minimum: 0.0
                            type: "integer"
                          ratio:
                            maximum: 1.5
                            minimum: 0.25
                            type: "number"
                          label:
                            default: "1.0"
                            type: "string"
                          steps:
                            default:
                            - 1.0
                            - 2.5
                            items:
                              type: "number"
                            type: "array"
                        type: "object"
                    type: "object"
                served: true
                storage: true
            """;

    @Test
    void dropsZeroPrioritiesAndKeepsTheOthers() throws IOException {
        JsonNode columns = normalised(CRD).at("/spec/versions/0/additionalPrinterColumns");

        assertThat(columns.get(0).has("priority")).isFalse();
        assertThat(columns.get(1).get("priority").asInt()).isEqualTo(1);
    }

    @Test
    void writesIntegralNumbersAsIntegersWhereverTheyAre() throws IOException {
        String yaml = CrdYaml.format(normalised(CRD));

        assertThat(yaml).contains("maximum: 100000\n", "minimum: 0\n", "- 1\n")
                .doesNotContain("100000.0", "0.0", "- 1.0");
    }

    @Test
    void keepsFractionsAndNumbersInStrings() throws IOException {
        JsonNode spec = normalised(CRD).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");

        assertThat(spec.at("/ratio/maximum").doubleValue()).isEqualTo(1.5);
        assertThat(spec.at("/ratio/minimum").doubleValue()).isEqualTo(0.25);
        assertThat(spec.at("/steps/default/1").doubleValue()).isEqualTo(2.5);
        assertThat(spec.at("/label/default").isTextual()).isTrue();
        assertThat(spec.at("/label/default").asText()).isEqualTo("1.0");
    }

    @Test
    void writesOutTheDefaultsTheServerFillsIn() throws IOException {
        ObjectNode crd = normalised(CRD);

        assertThat(crd.at("/spec/names/listKind").asText()).isEqualTo("WidgetList");
        assertThat(crd.at("/spec/conversion/strategy").asText()).isEqualTo("None");
    }

    @Test
    void keepsAConversionThatIsSet() throws IOException {
        String withWebhook = CRD.replace("  scope: \"Namespaced\"\n",
                "  scope: \"Namespaced\"\n  conversion:\n    strategy: \"Webhook\"\n");

        assertThat(normalised(withWebhook).at("/spec/conversion/strategy").asText()).isEqualTo("Webhook");
    }

    @Test
    void normalisingTwiceChangesNothingMore() throws IOException {
        String once = CrdYaml.format(normalised(CRD));

        assertThat(CrdYaml.format(normalised(once))).isEqualTo(once);
    }

    private static ObjectNode normalised(String yaml) throws IOException {
        ObjectNode crd = CrdYaml.parse(yaml);
        ApiServerStoredForm.apply(crd);
        return crd;
    }
}
