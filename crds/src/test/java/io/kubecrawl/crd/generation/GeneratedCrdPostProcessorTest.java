package io.kubecrawl.crd.generation;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedCrdPostProcessorTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

    @Test
    void refusesACrdOfAResourceTypeItDoesNotKnow(@TempDir Path directory) throws IOException {
        for (String file : new String[] {"crawljobs.kubecrawl.io-v1.yml", "spiders.kubecrawl.io-v1.yml"}) {
            Files.copy(GENERATED.resolve(file), directory.resolve(file));
        }
        Files.copy(GENERATED.resolve("spiders.kubecrawl.io-v1.yml"), directory.resolve("robots.kubecrawl.io-v1.yml"));

        assertThatThrownBy(() -> GeneratedCrdPostProcessor.main(new String[] {directory.toString()}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("robots.kubecrawl.io-v1.yml");
    }
}
