package io.kubecrawl.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The CRD YAML the build generates from the Java types, and the two copies of it that users apply. */
class GeneratedCrdTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    private static final String REGENERATE = "run ./mvnw -pl crds -Pupdate-crds package -DskipTests and commit";
    /** Core Kubernetes types embedded in our schema; fabric8 carries no descriptions for their fields. */
    private static final List<String> EMBEDDED_CORE_TYPES = List.of(".spec.runtime.env", ".spec.runtime.resources");

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void committedCopiesMatchWhatTheBuildGenerates(String file) throws IOException {
        String generated = Files.readString(GENERATED.resolve(file));
        assertThat(Files.readString(Path.of(file))).as("crds/%s is stale: %s", file, REGENERATE)
                .isEqualTo(generated);
        assertThat(Files.readString(Path.of("../helm/kubecrawl/crds").resolve(file)))
                .as("helm/kubecrawl/crds/%s is stale: %s", file, REGENERATE)
                .isEqualTo(generated);
    }

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void everyFieldHasADescription(String file) throws IOException {
        JSONSchemaProps root = version(file).getSchema().getOpenAPIV3Schema();
        List<String> undocumented = new ArrayList<>();
        root.getProperties().forEach((name, schema) -> {
            if (name.equals("spec") || name.equals("status")) {
                collectUndocumented("." + name, schema, undocumented);
            }
        });
        assertThat(undocumented).as("fields without a description in %s", file).isEmpty();
    }

    @Test
    void crawlJobHasPrinterColumnsShortNamesAndScaleSubresource() throws IOException {
        CustomResourceDefinition crd = load("crawljobs.kubecrawl.io-v1.yml");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .containsExactly("Phase", "Workers", "Progress", "Discovered", "Queued", "Done", "Filtered", "Items",
                        "Age");
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getJsonPath)
                .containsExactly(".status.phase", ".status.workers.ready", ".status.progress",
                        ".status.discovered.discovered", ".status.discovered.queued", ".status.discovered.done",
                        ".status.discovered.filtered", ".status.items", ".metadata.creationTimestamp");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("cjob", "crawl");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getSubresources().getScale().getSpecReplicasPath()).isEqualTo(".spec.workers");
        assertThat(version.getSubresources().getScale().getStatusReplicasPath()).isEqualTo(".status.workers.ready");
        assertThat(version.getSubresources().getScale().getLabelSelectorPath()).isEqualTo(".status.selector");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    }

    @Test
    void spiderHasPrinterColumnsStatusSubresourceAndShortName() throws IOException {
        CustomResourceDefinition crd = load("spiders.kubecrawl.io-v1.yml");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .containsExactly("Ready", "Bundle", "Files", "Age");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("spd");
    }

    @Test
    void celRulesSayWhatTheSchemaCannot() throws IOException {
        JSONSchemaProps crawlJobSpec = property(version("crawljobs.kubecrawl.io-v1.yml"), "spec");
        assertThat(rules(crawlJobSpec)).contains("has(self.seeds) != has(self.seedsFrom)",
                "has(self.seeds) == has(oldSelf.seeds)");
        assertThat(rules(crawlJobSpec.getProperties().get("spiderRef"))).contains("self == oldSelf");
        assertThat(rules(crawlJobSpec.getProperties().get("seeds"))).contains("self == oldSelf");
        assertThat(rules(crawlJobSpec.getProperties().get("frontier"))).contains("self == oldSelf");
        assertThat(rules(crawlJobSpec.getProperties().get("seedsFrom")))
                .contains("has(self.configMapKeyRef) != has(self.bundleFile)", "self == oldSelf");

        JSONSchemaProps source = property(version("spiders.kubecrawl.io-v1.yml"), "spec").getProperties()
                .get("source");
        assertThat(rules(source)).contains("has(self.configMap) != has(self.upload)");
    }

    @Test
    void requiredFieldsAndDefaultsAreInTheSchema() throws IOException {
        JSONSchemaProps spec = property(version("crawljobs.kubecrawl.io-v1.yml"), "spec");
        assertThat(spec.getRequired()).contains("spiderRef");
        assertThat(spec.getProperties().get("workers").getDefault().asInt()).isEqualTo(1);
        assertThat(spec.getProperties().get("workers").getMinimum()).isEqualTo(0.0);
        Map<String, JSONSchemaProps> frontier = spec.getProperties().get("frontier").getProperties();
        assertThat(frontier.get("partitioning").getDefault().asText()).isEqualTo("Host");
        assertThat(frontier.get("batchSize").getMinimum()).isEqualTo(1.0);
        assertThat(frontier.get("slots").getMinimum()).isEqualTo(1.0);
        assertThat(frontier.get("leaseSeconds").getMinimum()).isPositive();
        assertThat(spec.getProperties().get("suspend").getDefault().asBoolean()).isFalse();

        JSONSchemaProps spiderSpec = property(version("spiders.kubecrawl.io-v1.yml"), "spec");
        assertThat(spiderSpec.getRequired()).contains("runtime", "source");
        assertThat(spiderSpec.getProperties().get("runtime").getRequired()).contains("image", "command");
    }

    private static void collectUndocumented(String path, JSONSchemaProps schema, List<String> undocumented) {
        if (schema.getDescription() == null || schema.getDescription().isBlank()) {
            undocumented.add(path);
        }
        if (EMBEDDED_CORE_TYPES.contains(path)) {
            return;
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, child) -> collectUndocumented(path + "." + name, child,
                    undocumented));
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null
                && schema.getItems().getSchema().getProperties() != null) {
            schema.getItems().getSchema().getProperties().forEach((name, child) ->
                    collectUndocumented(path + "[]." + name, child, undocumented));
        }
    }

    private static List<String> rules(JSONSchemaProps schema) {
        return schema.getXKubernetesValidations() == null ? List.of()
                : schema.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList();
    }

    private static JSONSchemaProps property(CustomResourceDefinitionVersion version, String name) {
        return version.getSchema().getOpenAPIV3Schema().getProperties().get(name);
    }

    private static CustomResourceDefinitionVersion version(String file) throws IOException {
        CustomResourceDefinition crd = load(file);
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getName()).isEqualTo("v1alpha1");
        return version;
    }

    private static CustomResourceDefinition load(String file) throws IOException {
        return Serialization.unmarshal(Files.readString(GENERATED.resolve(file)), CustomResourceDefinition.class);
    }
}
