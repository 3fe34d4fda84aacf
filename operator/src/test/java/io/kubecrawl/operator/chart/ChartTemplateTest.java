package io.kubecrawl.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * Renders the chart with {@code helm template} and checks the typed objects: with the chart's defaults, with
 * {@code chart/all-values.yaml} (which changes every documented value), with the persistence and ServiceAccount
 * variants, and with values the schema must reject.
 */
class ChartTemplateTest {

    private static final String DATA_DIR = "/var/lib/kubecrawl";

    private static String appVersion;
    private static RenderedChart defaults;
    private static RenderedChart allValues;

    @BeforeAll
    static void render() throws IOException {
        JsonNode chartYaml = new YAMLMapper().readTree(Files.readString(RenderedChart.chartDir().resolve("Chart.yaml")));
        appVersion = chartYaml.path("appVersion").asText();
        assertThat(appVersion).isNotBlank();

        defaults = RenderedChart.withDefaults();
        allValues = RenderedChart.builder()
                .release("crawl")
                .namespace("crawl-platform")
                .valuesResource("chart/all-values.yaml")
                .render();
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void defaultsRenderTheOperatorResourcesAndNothingElse() {
        assertThat(defaults.ids()).containsExactlyInAnyOrder(
                "ServiceAccount/kubecrawl",
                "PersistentVolumeClaim/kubecrawl-data",
                "ClusterRole/kubecrawl",
                "ClusterRoleBinding/kubecrawl",
                "Role/kubecrawl-grpc-tls",
                "RoleBinding/kubecrawl-grpc-tls",
                "Service/kubecrawl",
                "Deployment/kubecrawl");
    }

    @Test
    void everyRenderedObjectIsATypedObjectWithoutUnknownFields() {
        for (RenderedChart chart : List.of(defaults, allValues)) {
            assertThat(chart.objects()).as("objects fabric8 could not type (wrong apiVersion or kind?)")
                    .noneMatch(GenericKubernetesResource.class::isInstance);
            assertThat(chart.unknownFields()).as("fields unknown to the Kubernetes API").isEmpty();
        }
    }

    @Test
    void everyObjectCarriesTheStandardLabelsAndNamespacedOnesTheReleaseNamespace() {
        for (HasMetadata object : defaults.objects()) {
            assertThat(object.getMetadata().getLabels()).as("labels of %s", object.getKind()).contains(
                    entry("app.kubernetes.io/name", "kubecrawl"),
                    entry("app.kubernetes.io/instance", "kubecrawl"),
                    entry("app.kubernetes.io/component", "operator"),
                    entry("app.kubernetes.io/version", appVersion),
                    entry("app.kubernetes.io/managed-by", "Helm"),
                    entry("app.kubernetes.io/part-of", "kubecrawl"),
                    entry("helm.sh/chart", "kubecrawl-0.1.0"));
            boolean clusterScoped = object instanceof ClusterRole || object instanceof ClusterRoleBinding;
            assertThat(object.getMetadata().getNamespace()).as("namespace of %s", object.getKind())
                    .isEqualTo(clusterScoped ? null : RenderedChart.DEFAULT_NAMESPACE);
        }
    }

    @Test
    void deploymentRunsExactlyOneOperatorPodAndReplacesItWithRecreate() {
        Deployment deployment = defaults.get(Deployment.class, "kubecrawl");

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).containsOnly(
                entry("app.kubernetes.io/name", "kubecrawl"),
                entry("app.kubernetes.io/instance", "kubecrawl"),
                entry("app.kubernetes.io/component", "operator"));
    }

    @Test
    void deploymentUsesTheChartAppVersionForBothImages() {
        Container operator = operatorContainer(defaults);

        assertThat(operator.getImage()).isEqualTo("kubecrawl/kubecrawl-operator:" + appVersion);
        assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(env(operator)).containsEntry("KUBECRAWL_WORKER_IMAGE", "kubecrawl/kubecrawl-worker:" + appVersion);
    }

    @Test
    void deploymentPassesTheOperatorItsConfiguration() {
        assertThat(env(operatorContainer(defaults))).containsExactly(
                entry("KUBECRAWL_WORKER_IMAGE", "kubecrawl/kubecrawl-worker:" + appVersion),
                entry("KUBECRAWL_OPERATOR_GRPC_ADDRESS", "kubecrawl.kubecrawl-system.svc:9090"),
                entry("KUBECRAWL_GRPC_PLAINTEXT", "false"),
                entry("KUBECRAWL_GRPC_TLS_SECRET", "kubecrawl-grpc-tls"),
                entry("KUBECRAWL_GRPC_TLS_NAMESPACE", RenderedChart.DEFAULT_NAMESPACE),
                entry("KUBECRAWL_GRPC_TLS_GENERATE", "true"),
                entry("KUBECRAWL_DATA_DIR", DATA_DIR),
                entry("KUBECRAWL_UPLOAD_MAX_BYTES", "536870912"),
                entry("QUARKUS_LOG_LEVEL", "INFO"));
    }

    @Test
    void operatorPodIsLockedDown() {
        assertLockedDown(defaults, 1001L, 1001L, 1001L);
        PodSpec pod = podSpec(defaults);
        assertThat(pod.getEnableServiceLinks()).as("enableServiceLinks").isFalse();
        assertThat(pod.getHostNetwork()).isNull();
        assertThat(pod.getHostPID()).isNull();
        assertThat(pod.getHostIPC()).isNull();
    }

    @Test
    void operatorContainerHasStartupLivenessAndReadinessProbesOnTheHttpPort() {
        Container operator = operatorContainer(defaults);

        assertHttpProbe(operator.getStartupProbe(), "/q/health/started");
        assertHttpProbe(operator.getLivenessProbe(), "/q/health/live");
        assertHttpProbe(operator.getReadinessProbe(), "/q/health/ready");
        assertThat(operator.getStartupProbe().getFailureThreshold() * operator.getStartupProbe().getPeriodSeconds())
                .as("seconds allowed for startup").isGreaterThanOrEqualTo(120);
        assertThat(operator.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("http=8080/TCP", "grpc=9090/TCP");
    }

    @Test
    void dataVolumeIsTheChartsClaimMountedAtTheDataDirAndTmpIsAnEmptyDir() {
        assertThat(mounts(operatorContainer(defaults))).containsOnly(entry(DATA_DIR, "data"), entry("/tmp", "tmp"));
        assertThat(volume(defaults, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("kubecrawl-data");
        assertThat(volume(defaults, "data").getPersistentVolumeClaim().getReadOnly()).isNull();
        assertThat(volume(defaults, "tmp").getEmptyDir()).isNotNull();
    }

    @Test
    void defaultResourcesRequestCpuAndMemoryAndLimitMemory() {
        var resources = operatorContainer(defaults).getResources();

        assertThat(resources.getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(resources.getLimits()).containsKey("memory");
        assertThat(Quantity.getAmountInBytes(resources.getLimits().get("memory")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(resources.getRequests().get("memory")));
    }

    @Test
    void defaultClaimIsKeptOnUninstall() {
        PersistentVolumeClaim claim = defaults.get(PersistentVolumeClaim.class, "kubecrawl-data");

        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests()).containsOnly(entry("storage", new Quantity("10Gi")));
        assertThat(claim.getSpec().getStorageClassName()).as("default StorageClass").isNull();
        assertThat(claim.getMetadata().getAnnotations()).containsOnly(entry("helm.sh/resource-policy", "keep"));
    }

    @Test
    void serviceExposesHttpAndGrpcToTheOperatorPod() {
        Service service = defaults.get(Service.class, "kubecrawl");

        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(defaults.get(Deployment.class, "kubecrawl").getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).extracting(ChartTemplateTest::describe).containsExactly(
                "http:8080->http/TCP appProtocol=http",
                "grpc:9090->grpc/TCP appProtocol=grpc");
    }

    @Test
    void serviceAccountIsCreatedAndUsedByThePod() {
        ServiceAccount account = defaults.get(ServiceAccount.class, "kubecrawl");

        assertThat(account.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(podSpec(defaults).getServiceAccountName()).isEqualTo("kubecrawl");
        assertThat(podSpec(defaults).getAutomountServiceAccountToken()).isTrue();
    }

    @Test
    void clusterRoleGrantsExactlyTheOperatorsRequests() {
        ClusterRole role = defaults.single(ClusterRole.class);

        assertThat(role.getAggregationRule()).isNull();
        assertThat(role.getRules()).extracting(ChartTemplateTest::describe).containsExactly(
                "kubecrawl.io [spiders, crawljobs] [get, list, watch]",
                "kubecrawl.io [spiders/status, crawljobs/status] [patch]",
                "kubecrawl.io [spiders] [patch]",
                " [configmaps] [get, list, watch]",
                " [secrets] [get, list, watch, create]",
                " [events] [create]",
                "batch [jobs] [get, list, watch, create, patch]",
                "authentication.k8s.io [tokenreviews] [create]",
                "authorization.k8s.io [subjectaccessreviews] [create]");
        assertThat(role.getRules()).allSatisfy(rule -> {
            assertThat(rule.getApiGroups()).hasSize(1).doesNotContain("*");
            assertThat(rule.getResources()).doesNotContain("*");
            assertThat(rule.getVerbs()).doesNotContain("*");
            assertThat(rule.getResourceNames()).isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        });
    }

    @Test
    void clusterRoleBindingBindsTheRoleToTheOperatorsServiceAccount() {
        ClusterRoleBinding binding = defaults.single(ClusterRoleBinding.class);

        assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(defaults.single(ClusterRole.class).getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo("kubecrawl");
            assertThat(subject.getNamespace()).isEqualTo(RenderedChart.DEFAULT_NAMESPACE);
        });
    }

    // ---------------------------------------------------------------- gRPC TLS

    @Test
    void byDefaultTheOperatorMayUpdateOnlyItsOwnGrpcCertificateSecret() {
        Role role = defaults.get(Role.class, "kubecrawl-grpc-tls");
        assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.DEFAULT_NAMESPACE);
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("secrets");
            assertThat(rule.getResourceNames()).containsExactly("kubecrawl-grpc-tls");
            assertThat(rule.getVerbs()).containsExactly("update");
        });
        RoleBinding binding = defaults.get(RoleBinding.class, "kubecrawl-grpc-tls");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo("kubecrawl-grpc-tls");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(podSpec(defaults).getServiceAccountName());
            assertThat(subject.getNamespace()).isEqualTo(RenderedChart.DEFAULT_NAMESPACE);
        });
        assertThat(defaults.all(GenericKubernetesResource.class)).as("no cert-manager objects by default").isEmpty();
    }

    @Test
    void certManagerIssuesTheServingCertificateForEveryServiceNameIntoTheOperatorsSecret() {
        RenderedChart chart = RenderedChart.builder().set("tls.certManager.enabled", true).render();

        assertThat(env(operatorContainer(chart))).contains(entry("KUBECRAWL_GRPC_PLAINTEXT", "false"),
                entry("KUBECRAWL_GRPC_TLS_SECRET", "kubecrawl-grpc-tls"), entry("KUBECRAWL_GRPC_TLS_GENERATE", "false"));
        assertThat(chart.find(Role.class, "kubecrawl-grpc-tls")).as("the operator writes no certificate").isEmpty();
        assertThat(chart.ids()).contains("Issuer/kubecrawl-selfsigned", "Certificate/kubecrawl-grpc-ca",
                "Issuer/kubecrawl-grpc-ca", "Certificate/kubecrawl-grpc");
        GenericKubernetesResource certificate = certManagerObject(chart, "Certificate", "kubecrawl-grpc");
        assertThat(certificate.getApiVersion()).isEqualTo("cert-manager.io/v1");
        Map<String, Object> spec = certificate.get("spec");
        assertThat(spec).containsEntry("secretName", "kubecrawl-grpc-tls")
                .containsEntry("duration", "2160h").containsEntry("renewBefore", "720h");
        assertThat(spec.get("dnsNames")).asList().containsExactlyInAnyOrder("kubecrawl.kubecrawl-system.svc",
                "kubecrawl.kubecrawl-system.svc.cluster.local", "kubecrawl.kubecrawl-system", "kubecrawl");
        assertThat(spec.get("dnsNames")).asList().as("the host the workers dial")
                .contains(env(operatorContainer(chart)).get("KUBECRAWL_OPERATOR_GRPC_ADDRESS").split(":")[0]);
        assertThat(spec.get("issuerRef")).isEqualTo(Map.of("name", "kubecrawl-grpc-ca", "kind", "Issuer",
                "group", "cert-manager.io"));
        GenericKubernetesResource ca = certManagerObject(chart, "Certificate", "kubecrawl-grpc-ca");
        assertThat(ca.<Boolean>get("spec", "isCA")).isTrue();
        assertThat(ca.<String>get("spec", "privateKey", "rotationPolicy")).as("workers of running jobs keep verifying")
                .isEqualTo("Never");
        assertThat(certManagerObject(chart, "Issuer", "kubecrawl-grpc-ca").<String>get("spec", "ca", "secretName"))
                .isEqualTo("kubecrawl-grpc-ca");
    }

    private static GenericKubernetesResource certManagerObject(RenderedChart chart, String kind, String name) {
        return chart.all(GenericKubernetesResource.class).stream()
                .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("No " + kind + " " + name + " among " + chart.ids()));
    }

    @Test
    void certManagerUsesAGivenIssuerAndCreatesNoneOfItsOwn() {
        RenderedChart chart = RenderedChart.builder().set("tls.certManager.enabled", true)
                .set("tls.certManager.issuerRef.name", "platform-ca").set("tls.certManager.issuerRef.kind", "ClusterIssuer")
                .set("tls.secretName", "grpc-cert").render();

        assertThat(chart.all(GenericKubernetesResource.class)).extracting(HasMetadata::getMetadata)
                .extracting(m -> m.getName()).containsExactly("kubecrawl-grpc");
        GenericKubernetesResource certificate = certManagerObject(chart, "Certificate", "kubecrawl-grpc");
        assertThat(certificate.<Object>get("spec", "issuerRef")).isEqualTo(Map.of("name", "platform-ca",
                "kind", "ClusterIssuer", "group", "cert-manager.io"));
        assertThat(certificate.<String>get("spec", "secretName")).isEqualTo("grpc-cert");
        assertThat(env(operatorContainer(chart))).containsEntry("KUBECRAWL_GRPC_TLS_SECRET", "grpc-cert");
    }

    @Test
    void plaintextIsOnlyWhatTheChartAsksForAndThenNoCertificateIsMade() {
        RenderedChart chart = RenderedChart.builder().set("grpc.plaintext", true)
                .set("tls.certManager.enabled", true).render();

        assertThat(env(operatorContainer(chart))).containsEntry("KUBECRAWL_GRPC_PLAINTEXT", "true");
        assertThat(chart.all(GenericKubernetesResource.class)).isEmpty();
        assertThat(chart.find(Role.class, "kubecrawl-grpc-tls")).isEmpty();
    }

    // ---------------------------------------------------------------- every value changed

    @Test
    void allValuesRenamesEveryResource() {
        assertThat(allValues.ids()).as("rbac.create=false leaves out the ClusterRole and its binding")
                .containsExactlyInAnyOrder(
                        "ServiceAccount/crawl-operator-sa",
                        "PersistentVolumeClaim/kc-operator-data",
                        "Service/kc-operator",
                        "Deployment/kc-operator");
        for (HasMetadata object : allValues.objects()) {
            assertThat(object.getMetadata().getNamespace()).isEqualTo("crawl-platform");
            assertThat(object.getMetadata().getLabels()).as("labels of %s", object.getKind()).contains(
                    entry("app.kubernetes.io/name", "crawler"),
                    entry("app.kubernetes.io/instance", "crawl"),
                    entry("cost-center", "cc-42"));
        }
    }

    @Test
    void allValuesChangeTheDeployment() {
        Deployment deployment = allValues.get(Deployment.class, "kc-operator");
        PodSpec pod = podSpec(allValues);
        Container operator = operatorContainer(allValues);

        assertThat(deployment.getMetadata().getAnnotations()).containsEntry("deploy.example.test/owner", "platform");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).contains(
                entry("team", "crawling"), entry("cost-center", "cc-42"),
                entry("app.kubernetes.io/name", "crawler"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).contains(
                entry("pod.example.test/scrape", "true"),
                entry("kubectl.kubernetes.io/default-container", "operator"));

        assertThat(operator.getImage()).isEqualTo("registry.example.test/platform/kubecrawl-operator:1.2.3");
        assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("pull-secret");
        assertThat(pod.getServiceAccountName()).isEqualTo("crawl-operator-sa");
        assertThat(pod.getPriorityClassName()).isEqualTo("platform-critical");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L);
        assertThat(pod.getNodeSelector()).containsOnly(
                entry("kubernetes.io/os", "linux"), entry("node.example.test/pool", "operators"));
        assertThat(pod.getTolerations()).containsExactly(new Toleration("NoSchedule", "dedicated", "Equal", null, "operators"));
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).singleElement().satisfies(term -> assertThat(term.getMatchExpressions())
                        .singleElement().satisfies(expression -> {
                            assertThat(expression.getKey()).isEqualTo("kubernetes.io/arch");
                            assertThat(expression.getOperator()).isEqualTo("In");
                            assertThat(expression.getValues()).containsExactly("amd64");
                        }));

        assertThat(operator.getResources().getRequests()).containsOnly(
                entry("cpu", new Quantity("500m")), entry("memory", new Quantity("768Mi")));
        assertThat(operator.getResources().getLimits()).containsOnly(
                entry("cpu", new Quantity("2")), entry("memory", new Quantity("2Gi")));

        assertHttpProbe(operator.getStartupProbe(), "/q/health/started");
        assertThat(probeTiming(operator.getStartupProbe())).containsExactly(7, 4, 90);
        assertThat(probeTiming(operator.getLivenessProbe())).containsExactly(11, 5, 6);
        assertThat(probeTiming(operator.getReadinessProbe())).containsExactly(13, 2, 4);

        assertLockedDown(allValues, 2000L, 3000L, 4000L);
        assertThat(operator.getSecurityContext().getRunAsUser()).isEqualTo(2000L);
        assertThat(operator.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void allValuesChangeTheOperatorsEnvironment() {
        Container operator = operatorContainer(allValues);

        assertThat(env(operator)).containsExactly(
                entry("KUBECRAWL_WORKER_IMAGE", "registry.example.test/platform/kubecrawl-worker:4.5.6"),
                entry("KUBECRAWL_OPERATOR_GRPC_ADDRESS", "kc-operator.crawl-platform.svc:19090"),
                entry("KUBECRAWL_GRPC_PLAINTEXT", "true"),
                entry("KUBECRAWL_GRPC_TLS_SECRET", "kc-grpc-certificate"),
                entry("KUBECRAWL_GRPC_TLS_NAMESPACE", "crawl-platform"),
                entry("KUBECRAWL_GRPC_TLS_GENERATE", "false"),
                entry("KUBECRAWL_DATA_DIR", DATA_DIR),
                entry("KUBECRAWL_UPLOAD_MAX_BYTES", "2147483648"),
                entry("QUARKUS_LOG_LEVEL", "DEBUG"),
                entry("KUBECRAWL_CLASS_DATA_ARCHIVE", ""),
                entry("EXTRA_PLAIN", "plain-value"),
                entry("EXTRA_FROM_SECRET", null));
        EnvVar fromSecret = operator.getEnv().stream().filter(e -> e.getName().equals("EXTRA_FROM_SECRET"))
                .findFirst().orElseThrow();
        assertThat(fromSecret.getValueFrom().getSecretKeyRef().getName()).isEqualTo("extra-secret");
        assertThat(fromSecret.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    }

    @Test
    void allValuesChangeTheClaim() {
        PersistentVolumeClaim claim = allValues.get(PersistentVolumeClaim.class, "kc-operator-data");

        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOncePod");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getResources().getRequests()).containsOnly(entry("storage", new Quantity("25Gi")));
        assertThat(claim.getMetadata().getAnnotations()).as("keepOnUninstall=false")
                .containsOnly(entry("backup.example.test/enabled", "true"));
        assertThat(volume(allValues, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("kc-operator-data");
        assertThat(mounts(operatorContainer(allValues))).containsOnly(entry(DATA_DIR, "data"), entry("/tmp", "tmp"));
    }

    @Test
    void allValuesChangeTheServiceAndServiceAccount() {
        Service service = allValues.get(Service.class, "kc-operator");
        assertThat(service.getMetadata().getAnnotations()).containsOnly(entry("service.example.test/scrape", "true"));
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts()).extracting(ChartTemplateTest::describe).containsExactly(
                "http:18080->http/TCP appProtocol=http",
                "grpc:19090->grpc/TCP appProtocol=grpc");

        ServiceAccount account = allValues.get(ServiceAccount.class, "crawl-operator-sa");
        assertThat(account.getMetadata().getAnnotations()).containsOnly(entry("iam.example.test/role", "crawler"));
    }

    // ---------------------------------------------------------------- variants

    @Test
    void existingClaimIsMountedAndNoClaimIsCreated() {
        RenderedChart chart = RenderedChart.builder().set("persistence.existingClaim", "crawl-data").render();

        assertThat(chart.all(PersistentVolumeClaim.class)).isEmpty();
        assertThat(volume(chart, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("crawl-data");
        assertThat(mounts(operatorContainer(chart))).containsEntry(DATA_DIR, "data");
    }

    @Test
    void withoutPersistenceTheDataDirIsAnEmptyDir() {
        RenderedChart chart = RenderedChart.builder().set("persistence.enabled", false).render();

        assertThat(chart.all(PersistentVolumeClaim.class)).isEmpty();
        assertThat(volume(chart, "data").getPersistentVolumeClaim()).isNull();
        assertThat(volume(chart, "data").getEmptyDir()).isNotNull();
        assertThat(mounts(operatorContainer(chart))).containsEntry(DATA_DIR, "data");
    }

    @Test
    void dashStorageClassDisablesDynamicProvisioning() {
        RenderedChart chart = RenderedChart.builder().set("persistence.storageClass", "-").render();

        assertThat(chart.single(PersistentVolumeClaim.class).getSpec().getStorageClassName()).isEmpty();
    }

    @ParameterizedTest(name = "serviceAccount.create=false, name=''{0}'' runs as ''{1}''")
    @CsvSource({ "'', default", "platform-operator, platform-operator" })
    void withoutServiceAccountCreationThePodRunsAsTheNamedAccount(String name, String expected) {
        RenderedChart chart = RenderedChart.builder()
                .set("serviceAccount.create", false)
                .set("serviceAccount.name", name)
                .render();

        assertThat(chart.all(ServiceAccount.class)).isEmpty();
        assertThat(podSpec(chart).getServiceAccountName()).isEqualTo(expected);
        assertThat(chart.single(ClusterRoleBinding.class).getSubjects())
                .singleElement().satisfies(subject -> assertThat(subject.getName()).isEqualTo(expected));
    }

    @ParameterizedTest(name = "release ''{0}'' names its resources ''{1}''")
    @CsvSource({ "kubecrawl, kubecrawl", "prod, prod-kubecrawl", "kubecrawl-prod, kubecrawl-prod" })
    void fullnameFollowsTheReleaseName(String release, String fullname) {
        RenderedChart chart = RenderedChart.builder().release(release).render();

        assertThat(chart.find(Deployment.class, fullname)).isPresent();
        assertThat(chart.find(Service.class, fullname)).isPresent();
        assertThat(env(operatorContainer(chart)))
                .containsEntry("KUBECRAWL_OPERATOR_GRPC_ADDRESS", fullname + ".kubecrawl-system.svc:9090");
    }

    @Test
    void commonAndPodLabelsCannotOverrideTheSelectorLabels() {
        RenderedChart chart = RenderedChart.builder()
                .set("commonLabels.app\\.kubernetes\\.io/name", "other")
                .set("podLabels.app\\.kubernetes\\.io/instance", "other")
                .set("commonLabels.tier", "platform")
                .render();
        Deployment deployment = chart.single(Deployment.class);

        assertThat(deployment.getMetadata().getLabels()).containsEntry("tier", "platform");

        assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "kubecrawl");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }

    // ---------------------------------------------------------------- schema

    @ParameterizedTest(name = "{0} is rejected")
    @CsvSource({
            "chart/bad-pull-policy.yaml, image.pullPolicy",
            "chart/unknown-key.yaml, replicaCount",
            "chart/bad-port.yaml, service.grpcPort" })
    void schemaRejectsBadValuesFiles(String valuesFile, String offendingValue) {
        assertThatThrownBy(() -> RenderedChart.builder().valuesResource(valuesFile).render())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining(offendingValue);
    }

    @ParameterizedTest(name = "--set {0}={1} is rejected")
    @CsvSource({
            "image.pullPolicy, Sometimes, image.pullPolicy",
            "logLevel, LOUD, logLevel",
            "upload.maxBytes, 0, upload.maxBytes",
            "persistence.size, lots, persistence.size",
            "persistence.accessModes[0], ReadWriteSometimes, persistence.accessModes.0",
            "probes.liveness.periodSeconds, 0, probes.liveness.periodSeconds",
            "service.httpPort, 0, service.httpPort",
            "podSecurityContext.runAsUser, -1, podSecurityContext.runAsUser",
            "tolerations[0].operator, Maybe, tolerations.0.operator",
            "serviceAccount.annotationz.a, b, annotationz" })
    void schemaRejectsBadSetValues(String key, String value, String reported) {
        assertThatThrownBy(() -> RenderedChart.builder().set(key, value).render())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining(reported);
    }

    @Test
    void misspeltKubernetesFieldsInPassThroughValuesAreFound() {
        RenderedChart chart = RenderedChart.builder()
                .set("securityContext.readOnlyRootFileSystem", true)
                .set("podSecurityContext.runAsNonroot", true)
                .render();

        assertThat(chart.unknownFields()).containsExactlyInAnyOrder(
                "Deployment/kubecrawl: spec.template.spec.securityContext.runAsNonroot",
                "Deployment/kubecrawl: spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem");
    }

    // ---------------------------------------------------------------- helpers

    private static PodSpec podSpec(RenderedChart chart) {
        return chart.single(Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static Container operatorContainer(RenderedChart chart) {
        PodSpec pod = podSpec(chart);
        assertThat(pod.getInitContainers()).isNullOrEmpty();
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("operator");
        return pod.getContainers().get(0);
    }

    /** Environment variables by name, in order; a variable taken from a source maps to null. */
    private static Map<String, String> env(Container container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).as("distinct variable names").hasSize(container.getEnv().size());
        return env;
    }

    /** Volume mounts as mount path to volume name. */
    private static Map<String, String> mounts(Container container) {
        return container.getVolumeMounts().stream()
                .peek(m -> assertThat(m.getSubPath()).isNull())
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
    }

    private static Volume volume(RenderedChart chart, String name) {
        Map<String, Volume> volumes = podSpec(chart).getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, Function.identity()));
        assertThat(volumes).containsKey(name);
        return volumes.get(name);
    }

    private static void assertLockedDown(RenderedChart chart, long uid, long gid, long fsGroup) {
        PodSecurityContext pod = podSpec(chart).getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).as("pod runAsNonRoot").isTrue();
        assertThat(pod.getRunAsUser()).as("pod runAsUser").isEqualTo(uid);
        assertThat(pod.getRunAsGroup()).as("pod runAsGroup").isEqualTo(gid);
        assertThat(pod.getFsGroup()).as("pod fsGroup").isEqualTo(fsGroup);
        assertThat(pod.getSeccompProfile().getType()).as("pod seccompProfile").isEqualTo("RuntimeDefault");

        SecurityContext container = operatorContainer(chart).getSecurityContext();
        assertThat(container.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
        assertThat(container.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem").isTrue();
        assertThat(container.getRunAsNonRoot()).as("container runAsNonRoot").isTrue();
        assertThat(container.getPrivileged()).as("privileged").isNotEqualTo(Boolean.TRUE);
        assertThat(container.getCapabilities().getDrop()).as("capabilities dropped").containsExactly("ALL");
        assertThat(container.getCapabilities().getAdd()).as("capabilities added").isNullOrEmpty();
    }

    private static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(probe.getHttpGet().getScheme()).isNull();
        assertThat(probe.getPeriodSeconds()).isPositive();
        assertThat(probe.getTimeoutSeconds()).isPositive();
        assertThat(probe.getFailureThreshold()).isPositive();
    }

    private static List<Integer> probeTiming(Probe probe) {
        return List.of(probe.getPeriodSeconds(), probe.getTimeoutSeconds(), probe.getFailureThreshold());
    }

    private static String describe(ServicePort port) {
        return port.getName() + ":" + port.getPort() + "->" + port.getTargetPort().getStrVal() + "/"
                + port.getProtocol() + " appProtocol=" + port.getAppProtocol();
    }

    private static String describe(PolicyRule rule) {
        return String.join(",", rule.getApiGroups()) + " " + rule.getResources() + " " + rule.getVerbs();
    }
}
