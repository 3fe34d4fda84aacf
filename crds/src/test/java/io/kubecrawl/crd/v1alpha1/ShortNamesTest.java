package io.kubecrawl.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kubectl resolves a short name to the built-in resource before a custom one, so a clash hides ours. */
class ShortNamesTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

    /**
     * The short names kube-apiserver v1.35 serves with every API group and version enabled
     * ({@code --runtime-config=api/all=true}), plus {@code psp}, which kubectl users still know from before 1.25.
     */
    private static final Set<String> BUILT_IN = Set.of("cj", "cm", "crd", "crds", "cs", "csr", "deploy", "ds", "ep",
            "ev", "hpa", "ing", "ip", "limits", "netpol", "no", "ns", "pc", "pdb", "po", "psp", "pv", "pvc", "quota",
            "rc", "rs", "sa", "sc", "sts", "svc", "vac");

    @ParameterizedTest
    @ValueSource(strings = {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"})
    void shortNamesClashWithNoBuiltInOne(String file) throws IOException {
        List<String> shortNames = Serialization.unmarshal(Files.readString(GENERATED.resolve(file)),
                CustomResourceDefinition.class).getSpec().getNames().getShortNames();

        assertThat(shortNames).isNotEmpty().doesNotContainAnyElementsOf(BUILT_IN);
    }
}
