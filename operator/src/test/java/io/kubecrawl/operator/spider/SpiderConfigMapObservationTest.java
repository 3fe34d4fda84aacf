package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import org.junit.jupiter.api.Test;

/**
 * A Spider applied together with its ConfigMap is reconciled before the informer has the ConfigMap (seen on a real
 * API server: a SourceNotFound Warning for a ConfigMap that existed). The API server decides whether it is missing.
 */
class SpiderConfigMapObservationTest {

    private static final ConfigMap CODE = new ConfigMapBuilder().withNewMetadata().withName("code").endMetadata()
            .build();

    @Test
    void aConfigMapTheInformerHasNotSeenYetIsReadFromTheServer() {
        List<String> asked = new ArrayList<>();

        Optional<ConfigMap> observed = SpiderReconciler.observeConfigMap(Optional.empty(), Optional.of("code"),
                name -> {
                    asked.add(name);
                    return CODE;
                });

        assertThat(observed).contains(CODE);
        assertThat(asked).containsExactly("code");
    }

    @Test
    void aConfigMapTheServerDoesNotHaveEitherIsMissing() {
        assertThat(SpiderReconciler.observeConfigMap(Optional.empty(), Optional.of("code"), name -> null)).isEmpty();
    }

    @Test
    void theInformersCopyIsUsedWithoutAskingTheServer() {
        List<String> asked = new ArrayList<>();

        Optional<ConfigMap> observed = SpiderReconciler.observeConfigMap(Optional.of(CODE), Optional.of("code"),
                name -> {
                    asked.add(name);
                    return null;
                });

        assertThat(observed).contains(CODE);
        assertThat(asked).isEmpty();
    }

    @Test
    void anUploadSourcedSpiderAsksForNoConfigMap() {
        assertThat(SpiderReconciler.observeConfigMap(Optional.empty(), Optional.empty(), name -> {
            throw new AssertionError("asked the server for " + name);
        })).isEmpty();
    }
}
