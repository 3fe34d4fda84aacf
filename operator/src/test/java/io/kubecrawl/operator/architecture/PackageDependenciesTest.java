package io.kubecrawl.operator.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * A reader finds a feature by its folder, and can read it knowing only what it depends on: that holds while no two
 * feature packages need each other. (bundle and spider, and outputs with items and logs, once did.)
 */
class PackageDependenciesTest {
    private static final JavaClasses OPERATOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.kubecrawl.operator");

    @Test
    void featurePackagesAreFreeOfCycles() {
        slices().matching("io.kubecrawl.operator.(*)..").should().beFreeOfCycles().check(OPERATOR);
    }
}
