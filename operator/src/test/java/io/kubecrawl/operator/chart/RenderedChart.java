package io.kubecrawl.operator.chart;

import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The Kubecrawl Helm chart rendered with {@code helm template} (through helm-java) and parsed into typed
 * fabric8 objects.
 *
 * <pre>{@code
 * RenderedChart chart = RenderedChart.withDefaults();
 * ClusterRole role = chart.single(ClusterRole.class);
 *
 * RenderedChart custom = RenderedChart.builder()
 *         .valuesResource("chart/all-values.yaml")
 *         .set("rbac.create", true)
 *         .render();
 * Deployment operator = custom.get(Deployment.class, "kubecrawl");
 * }</pre>
 */
public final class RenderedChart {

    /** Release name used when the builder is not given one. */
    public static final String DEFAULT_RELEASE = "kubecrawl";
    /** Release namespace used when the builder is not given one. */
    public static final String DEFAULT_NAMESPACE = "kubecrawl-system";
    /** System property that points at the chart directory, overriding the search. */
    public static final String CHART_DIR_PROPERTY = "kubecrawl.chart.dir";

    private static final Path CHART_IN_REPOSITORY = Paths.get("helm", "kubecrawl");
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final String namespace;
    private final List<HasMetadata> objects;

    private RenderedChart(String namespace, List<HasMetadata> objects) {
        this.namespace = namespace;
        this.objects = List.copyOf(objects);
    }

    /** The chart rendered with its own values.yaml, as release {@value #DEFAULT_RELEASE}. */
    public static RenderedChart withDefaults() {
        return builder().render();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The chart directory: the {@value #CHART_DIR_PROPERTY} system property if set, otherwise
     * {@code helm/kubecrawl} in the working directory or the nearest parent that has it (Surefire runs in the
     * module directory, an IDE often in the repository root).
     */
    public static Path chartDir() {
        String configured = System.getProperty(CHART_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Paths.get(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
                throw new IllegalStateException(CHART_DIR_PROPERTY + "=" + configured + " has no Chart.yaml");
            }
            return dir;
        }
        Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(CHART_IN_REPOSITORY);
            if (Files.isRegularFile(candidate.resolve("Chart.yaml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("No " + CHART_IN_REPOSITORY + "/Chart.yaml in " + start
                + " or any parent; set -D" + CHART_DIR_PROPERTY + "=<chart directory>");
    }

    /** A file on the test class path (for example {@code chart/all-values.yaml}) as a path. */
    public static Path testResource(String name) {
        URL url = RenderedChart.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalArgumentException("No test resource " + name);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Test resource " + name + " is not a file: " + url, e);
        }
    }

    /**
     * Splits a multi-document manifest and parses each non-empty document into its typed fabric8 class (kinds
     * fabric8 does not know become {@link GenericKubernetesResource}).
     */
    public static List<HasMetadata> parse(String manifest) {
        List<HasMetadata> parsed = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(manifest)) {
            if (isBlankOrComments(document)) {
                continue;
            }
            KubernetesResource resource = SERIALIZATION.unmarshal(document, KubernetesResource.class);
            if (!(resource instanceof HasMetadata object)) {
                throw new IllegalStateException("Rendered document is not a Kubernetes object:\n" + document);
            }
            parsed.add(object);
        }
        return parsed;
    }

    private static boolean isBlankOrComments(String document) {
        return document.lines().map(String::strip).allMatch(line -> line.isEmpty() || line.startsWith("#"));
    }

    public String namespace() {
        return namespace;
    }

    /** Every rendered object, in manifest order. */
    public List<HasMetadata> objects() {
        return objects;
    }

    /** "Kind/name" of every rendered object, in manifest order. */
    public List<String> ids() {
        return objects.stream().map(RenderedChart::id).collect(Collectors.toList());
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    public <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** The object of this type and name; fails with the list of rendered objects if there is none. */
    public <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(
                "No " + type.getSimpleName() + " named " + name + " among " + ids()));
    }

    /** The one object of this type; fails if there is none or more than one. */
    public <T extends HasMetadata> T single(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("Expected exactly one " + type.getSimpleName() + " but found " + found.size()
                    + " among " + ids());
        }
        return found.get(0);
    }

    /**
     * Fields the rendered objects have that their fabric8 model class does not know (a misspelt field name, a field
     * at the wrong level), as "Kind/name: path". fabric8 keeps such fields in {@code additionalProperties} instead
     * of failing, and the API server would prune or reject them.
     */
    public List<String> unknownFields() {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : objects) {
            collectUnknownFields(object, id(object) + ": ", unknown);
        }
        return unknown;
    }

    private static String id(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }

    private static void collectUnknownFields(Object value, String path, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> collection) {
            int index = 0;
            for (Object element : collection) {
                collectUnknownFields(element, path + "[" + index++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, element) -> collectUnknownFields(element, path + "[" + key + "]", unknown));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")
                || value instanceof GenericKubernetesResource) {
            return;
        }
        try {
            for (PropertyDescriptor property : Introspector.getBeanInfo(value.getClass(), Object.class)
                    .getPropertyDescriptors()) {
                Method getter = property.getReadMethod();
                if (getter == null) {
                    continue;
                }
                Object child = getter.invoke(value);
                if ("additionalProperties".equals(property.getName())) {
                    if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        extra.keySet().forEach(key -> unknown.add(path + (path.endsWith(" ") ? "" : ".") + key));
                    }
                } else {
                    String separator = path.endsWith(" ") ? "" : ".";
                    collectUnknownFields(child, path + separator + property.getName(), unknown);
                }
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot inspect " + value.getClass(), e);
        }
    }

    /** Options of one {@code helm template} run. */
    public static final class Builder {

        private String release = DEFAULT_RELEASE;
        private String namespace = DEFAULT_NAMESPACE;
        private final List<Path> valuesFiles = new ArrayList<>();
        private final Map<String, Object> sets = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder release(String release) {
            this.release = Objects.requireNonNull(release);
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace);
            return this;
        }

        /** A values file, applied after the chart's values.yaml and any earlier file. */
        public Builder valuesFile(Path file) {
            valuesFiles.add(Objects.requireNonNull(file));
            return this;
        }

        /** A values file on the test class path, for example {@code chart/all-values.yaml}. */
        public Builder valuesResource(String name) {
            return valuesFile(testResource(name));
        }

        /** A {@code --set key=value}, applied after the values files. */
        public Builder set(String key, Object value) {
            sets.put(Objects.requireNonNull(key), value);
            return this;
        }

        /** Runs {@code helm template}; helm-java throws {@link IllegalStateException} if Helm fails. */
        public String renderManifest() {
            TemplateCommand command = new Helm(RenderedChart.chartDir())
                    .template()
                    .withName(release)
                    .withNamespace(namespace);
            valuesFiles.forEach(command::withValuesFile);
            sets.forEach(command::set);
            return command.call();
        }

        public RenderedChart render() {
            return new RenderedChart(namespace, parse(renderManifest()));
        }
    }
}
