package io.kubecrawl.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import io.fabric8.generator.annotation.Default;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A spec's default is declared once: the schema's {@code @Default} and the operator's {@code effective...} reading of
 * an unset field say the same, for every defaulted field that the operator reads that way.
 */
class SpecDefaultsTest {

    @ParameterizedTest
    @ValueSource(classes = {FrontierSpec.class, CrawlJobSpec.class, JobLimits.class})
    void eachSchemaDefaultIsWhatTheOperatorReadsForAnUnsetField(Class<?> spec) throws Exception {
        Object unset = spec.getDeclaredConstructor().newInstance();
        List<Field> defaulted = Arrays.stream(spec.getDeclaredFields())
                .filter(field -> field.isAnnotationPresent(Default.class))
                .filter(field -> !field.getType().getPackageName().equals(spec.getPackageName())
                        || field.getType().isEnum())
                .toList();
        assertThat(defaulted).as("defaulted scalar fields of %s", spec.getSimpleName()).isNotEmpty();

        for (Field field : defaulted) {
            if (field.getType() == Boolean.class) {
                continue; // read as Boolean.TRUE.equals(...): unset and false are one
            }
            Method effective = spec.getMethod("effective" + Character.toUpperCase(field.getName().charAt(0))
                    + field.getName().substring(1));
            assertThat(String.valueOf(effective.invoke(unset)))
                    .as("%s.%s: the operator's default against the schema's", spec.getSimpleName(), field.getName())
                    .isEqualTo(field.getAnnotation(Default.class).value());
        }
    }
}
