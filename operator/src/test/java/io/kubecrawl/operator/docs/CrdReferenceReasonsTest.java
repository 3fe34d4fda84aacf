package io.kubecrawl.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.kubecrawl.operator.crawljob.CrawlJobReasons;
import io.kubecrawl.operator.crawljob.CrawlJobStatusBuilder;
import io.kubecrawl.operator.spider.SourceProblem;
import io.kubecrawl.operator.spider.SpiderStatusBuilder;
import org.junit.jupiter.api.Test;

/**
 * The reason tables of {@code docs/crd-reference.md} and the reason constants of the code, both ways: every reason
 * the operator can write is documented, and every documented reason is one the operator writes.
 */
class CrdReferenceReasonsTest {

    private static final String REFERENCE = "docs/crd-reference.md";

    private final List<String> lines = reference();

    @Test
    void everyCrawlJobReasonConstantBelongsToADocumentedGroup() {
        Set<String> grouped = new HashSet<>();
        Stream.of(CrawlJobReasons.PHASE, CrawlJobReasons.DEGRADED, CrawlJobReasons.READY,
                CrawlJobReasons.EVENT_ONLY).forEach(grouped::addAll);

        assertThat(grouped).as("the groups of CrawlJobReasons").containsExactlyInAnyOrderElementsOf(
                constants(CrawlJobReasons.class));
    }

    @Test
    void thePhaseReasonTableListsExactlyThePhaseReasons() {
        assertThat(column(table("| reason | phase | Event type | meaning |"), 0))
                .as("reasons in the CrawlJob phase reasons table of " + REFERENCE)
                .containsExactlyInAnyOrderElementsOf(CrawlJobReasons.PHASE);
    }

    @Test
    void theDegradedTableListsExactlyTheDegradedReasons() {
        assertThat(column(table("| reason | Event type | meaning |"), 0))
                .as("reasons in the Degraded table of " + REFERENCE)
                .containsExactlyInAnyOrderElementsOf(CrawlJobReasons.DEGRADED);
    }

    @Test
    void theReadyAndEventOnlyReasonsAreDocumentedInTheCrawlJobSection() {
        String crawlJobSection = String.join("\n", lines.subList(lines.indexOf("## CrawlJob"), lines.size()));

        Stream.concat(CrawlJobReasons.READY.stream(), CrawlJobReasons.EVENT_ONLY.stream())
                .forEach(reason -> assertThat(crawlJobSection).as(REFERENCE).contains("`" + reason + "`"));
    }

    @Test
    void theSpiderConditionTableListsExactlyTheSpiderReasons() {
        Set<String> code = new HashSet<>(constants(SourceProblem.class));
        code.add(SpiderStatusBuilder.BUNDLE_RESOLVED);

        assertThat(Set.copyOf(column(table("| type | status | reason | when | Event |"), 2)))
                .as("reasons in the Spider conditions table of " + REFERENCE)
                .containsExactlyInAnyOrderElementsOf(code);
    }

    @Test
    void theConditionTablesNameExactlyTheConditionTypesTheOperatorWrites() {
        List<String> phaseTable = header("| phase | `Ready` |");
        List<String> kstatusTable = header("| phase | `Reconciling` |");
        Set<String> documented = new HashSet<>(phaseTable.subList(1, phaseTable.size()));
        documented.addAll(kstatusTable.subList(1, kstatusTable.size() - 1)); // its last column is kstatus' verdict
        documented.add(CrawlJobStatusBuilder.DEGRADED); // documented in a section of its own, checked above

        assertThat(documented).as("condition types in the CrawlJob condition tables of " + REFERENCE)
                .containsExactlyInAnyOrderElementsOf(constants(CrawlJobStatusBuilder.class));
        String statusRow = lines.subList(lines.indexOf("## CrawlJob"), lines.size()).stream()
                .filter(line -> line.startsWith("| `conditions` | []Condition |")).findFirst().orElseThrow();
        documented.forEach(type -> assertThat(statusRow).as("the status table's conditions row").contains(
                "`" + type + "`"));
    }

    /** The cells of the one table header line that starts with {@code start}, without their backticks. */
    private List<String> header(String start) {
        List<String> headers = lines.stream().filter(line -> line.startsWith(start)).toList();
        assertThat(headers).as(REFERENCE + " has one table headed " + start + "...").hasSize(1);
        return Stream.of(headers.get(0).split("\\|")).map(String::trim).filter(cell -> !cell.isEmpty())
                .map(cell -> cell.replace("`", "")).toList();
    }

    /** The body rows of the one table with this header line. */
    private List<String> table(String header) {
        assertThat(lines).as(REFERENCE + " has one table headed " + header).containsOnlyOnce(header);
        List<String> rows = new ArrayList<>();
        for (int i = lines.indexOf(header) + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(lines.get(i));
        }
        return rows;
    }

    /** The cell {@code column} of each row, without its backticks. */
    private static List<String> column(List<String> rows, int column) {
        return rows.stream().map(row -> row.split("\\|")[column + 1].trim().replace("`", "")).toList();
    }

    /** The values of the public static final String fields of {@code type}. */
    private static Set<String> constants(Class<?> type) {
        return Stream.of(type.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())
                        && f.getType() == String.class)
                .map(CrdReferenceReasonsTest::value).collect(Collectors.toSet());
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reference in the working directory or the nearest parent that has it (Surefire runs in the module). */
    private static List<String> reference() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(REFERENCE);
            if (Files.isRegularFile(candidate)) {
                try {
                    return Files.readAllLines(candidate);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + candidate, e);
                }
            }
        }
        throw new IllegalStateException("no " + REFERENCE + " in the working directory or a parent");
    }
}
