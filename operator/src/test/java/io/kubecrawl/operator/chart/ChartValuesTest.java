package io.kubecrawl.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** values.yaml and values.schema.json describe the same values, and every value is documented in both. */
class ChartValuesTest {

    private static final Pattern KEY_LINE = Pattern.compile("^( *)([A-Za-z0-9_.\\-/]+):(\\s.*)?$");

    private static JsonNode schema;
    private static JsonNode values;
    private static List<String> valuesLines;

    @BeforeAll
    static void read() throws IOException {
        schema = new ObjectMapper().readTree(RenderedChart.chartDir().resolve("values.schema.json").toFile());
        valuesLines = Files.readAllLines(RenderedChart.chartDir().resolve("values.yaml"));
        values = new YAMLMapper().readTree(String.join("\n", valuesLines));
    }

    @Test
    void schemaIsDraft07AndClosedAtTheTop() {
        assertThat(schema.path("$schema").asText()).isEqualTo("http://json-schema.org/draft-07/schema#");
        assertThat(schema.path("type").asText()).isEqualTo("object");
        assertThat(schema.path("additionalProperties").isBoolean()).isTrue();
        assertThat(schema.path("additionalProperties").asBoolean()).isFalse();
    }

    @Test
    void everyValueIsInTheSchema() {
        List<String> missing = new ArrayList<>();
        walkValues(values, schema, "", missing);
        assertThat(missing).as("values.yaml keys the schema does not describe").isEmpty();
    }

    @Test
    void everySchemaPropertyIsInValuesYaml() {
        List<String> missing = new ArrayList<>();
        walkSchema(schema, values, "", missing);
        assertThat(missing).as("schema properties without a default in values.yaml").isEmpty();
    }

    @Test
    void everySchemaPropertyHasATypeOrEnumAndADescription() {
        List<String> undocumented = new ArrayList<>();
        checkDescriptions(schema, "", undocumented);
        assertThat(undocumented).as("schema properties without description or type").isEmpty();
    }

    @Test
    void everyValueHasAComment() {
        List<Key> roots = parseKeys();
        List<String> uncommented = new ArrayList<>();
        roots.forEach(root -> collectUncommented(root, "", uncommented));
        assertThat(uncommented).as("values.yaml keys with no comment on them, on an ancestor, or on every child")
                .isEmpty();
    }

    // A key is documented when it has a comment, when an ancestor has one (the children of a documented
    // Kubernetes object such as resources.requests), or when all its children are documented (a grouping key).
    private static boolean documented(Key key) {
        return key.commented || (!key.children.isEmpty() && key.children.stream().allMatch(ChartValuesTest::documented));
    }

    private static void collectUncommented(Key key, String prefix, List<String> uncommented) {
        String path = prefix + key.name;
        if (key.commented) {
            return;
        }
        if (key.children.isEmpty()) {
            uncommented.add(path);
            return;
        }
        if (!documented(key)) {
            key.children.forEach(child -> collectUncommented(child, path + ".", uncommented));
        }
    }

    private static List<Key> parseKeys() {
        List<Key> roots = new ArrayList<>();
        List<Key> stack = new ArrayList<>();
        for (int i = 0; i < valuesLines.size(); i++) {
            Matcher m = KEY_LINE.matcher(valuesLines.get(i));
            if (!m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            String previous = i == 0 ? "" : valuesLines.get(i - 1).strip();
            Key key = new Key(m.group(2), indent, previous.startsWith("#"));
            while (!stack.isEmpty() && stack.get(stack.size() - 1).indent >= indent) {
                stack.remove(stack.size() - 1);
            }
            if (stack.isEmpty()) {
                roots.add(key);
            } else {
                stack.get(stack.size() - 1).children.add(key);
            }
            stack.add(key);
        }
        return roots;
    }

    private static final class Key {
        final String name;
        final int indent;
        final boolean commented;
        final List<Key> children = new ArrayList<>();

        Key(String name, int indent, boolean commented) {
            this.name = name;
            this.indent = indent;
            this.commented = commented;
        }
    }

    private static void walkValues(JsonNode value, JsonNode schemaNode, String path, List<String> missing) {
        if (!value.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode property = schemaNode.path("properties").path(field.getKey());
            if (property.isMissingNode()) {
                JsonNode additional = schemaNode.path("additionalProperties");
                if (additional.isObject() || (additional.isBoolean() && additional.asBoolean())
                        || additional.isMissingNode()) {
                    continue; // a free-form map, such as annotations or resources.requests
                }
                missing.add(path + field.getKey());
            } else {
                walkValues(field.getValue(), property, path + field.getKey() + ".", missing);
            }
        }
    }

    private static void walkSchema(JsonNode schemaNode, JsonNode value, String path, List<String> missing) {
        // Only the chart's own (closed) objects need every property in values.yaml; Kubernetes objects passed
        // through (security contexts, resources, affinity) list their fields for validation only.
        if (!schemaNode.path("additionalProperties").isBoolean() || schemaNode.path("additionalProperties").asBoolean()) {
            return;
        }
        boolean kubernetesObject = schemaNode.path("description").asText().contains("Kubernetes")
                || path.equals("resources.") || path.equals("affinity.");
        if (kubernetesObject) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = schemaNode.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> property = it.next();
            if (path.isEmpty() && property.getKey().equals("global")) {
                continue;
            }
            JsonNode child = value.path(property.getKey());
            if (child.isMissingNode()) {
                missing.add(path + property.getKey());
            } else {
                walkSchema(property.getValue(), child, path + property.getKey() + ".", missing);
            }
        }
    }

    private static void checkDescriptions(JsonNode schemaNode, String path, List<String> undocumented) {
        for (Iterator<Map.Entry<String, JsonNode>> it = schemaNode.path("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> property = it.next();
            JsonNode node = property.getValue();
            String propertyPath = path + property.getKey();
            if (node.path("description").asText().isBlank()
                    || !(node.has("type") || node.has("enum") || node.has("oneOf"))) {
                undocumented.add(propertyPath);
            }
            checkDescriptions(node, propertyPath + ".", undocumented);
            if (node.path("items").isObject()) {
                checkDescriptions(node.path("items"), propertyPath + "[].", undocumented);
            }
        }
    }
}
