package io.kubecrawl.crd.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;

/**
 * Puts a CRD's printer columns in the order their annotations are declared on the resource class. kubectl shows the
 * columns in list order, and fabric8's generator sorts them by name (fabric8io/kubernetes-client#7454) with no option
 * to do otherwise.
 */
final class PrinterColumnOrder {

    private PrinterColumnOrder() {
    }

    /** Columns are matched by JSON path; a column not declared on the class (a field-level one) keeps its place after them. */
    static void apply(ObjectNode crd, Class<?> resourceType) {
        List<String> declaredPaths = Arrays.stream(resourceType.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::jsonPath)
                .toList();
        Comparator<JsonNode> byDeclaration = Comparator.comparingInt(column -> {
            int index = declaredPaths.indexOf(column.path("jsonPath").asText());
            return index < 0 ? declaredPaths.size() : index;
        });
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.get("additionalPrinterColumns") instanceof ArrayNode columns) {
                List<JsonNode> ordered = new ArrayList<>();
                columns.forEach(ordered::add);
                ordered.sort(byDeclaration);
                columns.removeAll();
                columns.addAll(ordered);
            }
        }
    }
}
