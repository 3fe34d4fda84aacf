package io.kubecrawl.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import io.kubecrawl.crd.v1alpha1.Condition;
import org.junit.jupiter.api.Test;

class ConditionsBuilderTest {

    private static final Instant T1 = Instant.parse("2026-11-22T10:00:00.123Z");
    private static final Instant T2 = Instant.parse("2026-11-22T11:00:00Z");

    @Test
    void newConditionTransitionsNowInWholeSeconds() {
        List<Condition> conditions = new ConditionsBuilder(null, 3, T1).set("Ready", true, "Fine", "all good").build();

        assertThat(conditions).singleElement().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("Fine");
            assertThat(c.getMessage()).isEqualTo("all good");
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
            assertThat(c.getObservedGeneration()).isEqualTo(3);
        });
    }

    @Test
    void sameStatusKeepsItsTransitionTimeEvenWhenReasonAndMessageChange() {
        List<Condition> first = new ConditionsBuilder(null, 1, T1).set("Ready", false, "A", "a").build();

        List<Condition> second = new ConditionsBuilder(first, 2, T2).set("Ready", false, "B", "b").build();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");
        assertThat(second.get(0).getReason()).isEqualTo("B");
        assertThat(second.get(0).getObservedGeneration()).isEqualTo(2);
    }

    @Test
    void changedStatusMovesTheTransitionTime() {
        List<Condition> first = new ConditionsBuilder(null, 1, T1).set("Ready", false, "A", "a").build();

        List<Condition> second = new ConditionsBuilder(first, 1, T2).set("Ready", true, "A", "a").build();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-22T11:00:00Z");
    }

    @Test
    void unknownIsAStatusOfItsOwnAndOrderIsKept() {
        List<Condition> conditions = new ConditionsBuilder(null, 1, T1)
                .unknown("Ready", "Starting", "not observed yet")
                .set("Failed", false, "Running", "")
                .build();

        assertThat(conditions).extracting(Condition::getType, Condition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Ready", "Unknown"),
                        org.assertj.core.groups.Tuple.tuple("Failed", "False"));
    }
}
