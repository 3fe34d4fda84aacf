package io.kubecrawl.crd.generation;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rewrites a generated CRD into the form kube-apiserver stores it in. Server-side apply compares the applied values
 * with the stored ones; where they differ only in form (a {@code 1.0} the server keeps as {@code 1}, a
 * {@code priority: 0} it drops), it still sees a change to {@code .spec.versions}, which it treats as one field, and
 * reports a conflict with every other field manager of the CRD.
 */
final class ApiServerStoredForm {

    private ApiServerStoredForm() {
    }

    static void apply(ObjectNode crd) {
        ObjectNode spec = (ObjectNode) crd.get("spec");
        writeServerDefaults(spec);
        dropZeroPriorities(spec);
        writeIntegralNumbersAsIntegers(crd);
    }

    /** The defaults the server fills in, written out so that the file equals the stored spec field for field. */
    private static void writeServerDefaults(ObjectNode spec) {
        ObjectNode names = (ObjectNode) spec.get("names");
        if (!names.has("listKind")) {
            names.put("listKind", names.get("kind").asText() + "List");
        }
        if (!spec.has("conversion")) {
            spec.putObject("conversion").put("strategy", "None");
        }
    }

    /** A column's priority is an int32 with omitempty on the server, so a 0 is never stored. */
    private static void dropZeroPriorities(ObjectNode spec) {
        for (JsonNode version : spec.path("versions")) {
            for (JsonNode column : version.path("additionalPrinterColumns")) {
                if (column.path("priority").isNumber() && column.get("priority").asLong() == 0) {
                    ((ObjectNode) column).remove("priority");
                }
            }
        }
    }

    /**
     * The server keeps numbers such as minimum and maximum as float64 and writes them with Go's encoding/json, which
     * prints a float64 with no fractional part as an integer; fabric8 writes the Java double instead ({@code 1.0}).
     */
    private static void writeIntegralNumbersAsIntegers(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (isIntegralFloatingPoint(field.getValue())) {
                    field.setValue(asInteger(field.getValue()));
                } else {
                    writeIntegralNumbersAsIntegers(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (isIntegralFloatingPoint(array.get(i))) {
                    array.set(i, asInteger(array.get(i)));
                } else {
                    writeIntegralNumbersAsIntegers(array.get(i));
                }
            }
        }
    }

    private static boolean isIntegralFloatingPoint(JsonNode node) {
        return node.isFloatingPointNumber() && Double.isFinite(node.doubleValue())
                && node.decimalValue().stripTrailingZeros().scale() <= 0;
    }

    private static JsonNode asInteger(JsonNode number) {
        return JsonNodeFactory.instance.numberNode(number.decimalValue().toBigIntegerExact());
    }
}
