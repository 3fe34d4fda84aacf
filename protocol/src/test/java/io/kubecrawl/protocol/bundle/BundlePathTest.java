package io.kubecrawl.protocol.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundlePathTest {

    @ParameterizedTest
    @ValueSource(strings = {"quotes.py", "crawlab_project/spiders/quotes.py", "bin/run.sh", "a b/c d.txt",
            ".scrapy/config", "a/..b/c..", "ünïcode/файл.py"})
    void acceptsRelativePathsThatStayInside(String path) {
        assertThat(BundlePath.problem(path)).isEmpty();
    }

    @Test
    void refusesClimbingOut() {
        assertThat(BundlePath.problem("../x")).hasValueSatisfying(p -> assertThat(p).contains(".."));
        assertThat(BundlePath.problem("a/../../b")).hasValueSatisfying(p -> assertThat(p).contains(".."));
        assertThat(BundlePath.problem("a/..")).isPresent();
    }

    @Test
    void refusesAbsolutePaths() {
        assertThat(BundlePath.problem("/etc/passwd")).hasValue("the path is absolute");
        assertThat(BundlePath.problem("/")).hasValue("the path is absolute");
    }

    @Test
    void refusesNonCanonicalSpellings() {
        assertThat(BundlePath.problem("a//b")).hasValueSatisfying(p -> assertThat(p).contains("empty segment"));
        assertThat(BundlePath.problem("a/")).hasValueSatisfying(p -> assertThat(p).contains("trailing"));
        assertThat(BundlePath.problem("./a")).hasValueSatisfying(p -> assertThat(p).contains("'.'"));
        assertThat(BundlePath.problem("a/./b")).isPresent();
        assertThat(BundlePath.problem(".")).isPresent();
    }

    @Test
    void refusesBackslashesAndControlCharacters() {
        assertThat(BundlePath.problem("a\\..\\..\\b")).hasValueSatisfying(p -> assertThat(p).contains("backslash"));
        assertThat(BundlePath.problem("C:\\Windows")).isPresent();
        assertThat(BundlePath.problem("a\0b")).hasValueSatisfying(p -> assertThat(p).contains("control"));
        assertThat(BundlePath.problem("a\nb")).isPresent();
        assertThat(BundlePath.problem("a\rb")).isPresent();
    }

    @Test
    void refusesEmptyAndVeryLongPaths() {
        assertThat(BundlePath.problem("")).hasValue("the path is empty");
        assertThat(BundlePath.problem(null)).hasValue("the path is empty");
        String longest = "a/".repeat(BundlePath.MAX_LENGTH / 2 - 1) + "bc";
        assertThat(longest).hasSize(BundlePath.MAX_LENGTH);
        assertThat(BundlePath.problem(longest)).isEmpty();
        assertThat(BundlePath.problem(longest + "d")).hasValueSatisfying(p -> assertThat(p).contains("longer"));
    }

    @Test
    void resolvesInsideTheTargetDirectory(@TempDir Path target) {
        assertThat(BundlePath.resolveIn(target, "crawlab_project/spiders/quotes.py"))
                .isEqualTo(target.resolve("crawlab_project").resolve("spiders").resolve("quotes.py"))
                .startsWithRaw(target);
        assertThatIllegalArgumentException().isThrownBy(() -> BundlePath.resolveIn(target, "../x"))
                .withMessageContaining("../x");
        assertThatIllegalArgumentException().isThrownBy(() -> BundlePath.resolveIn(target, "/etc/passwd"));
    }
}
