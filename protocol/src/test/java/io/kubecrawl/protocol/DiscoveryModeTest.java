package io.kubecrawl.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DiscoveryModeTest {

    @Test
    void theValuesParseIgnoringCaseAndBlanks() {
        assertThat(DiscoveryMode.parse("Frontier")).isEqualTo(DiscoveryMode.FRONTIER);
        assertThat(DiscoveryMode.parse(" frontier ")).isEqualTo(DiscoveryMode.FRONTIER);
        assertThat(DiscoveryMode.parse("LOCAL")).isEqualTo(DiscoveryMode.LOCAL);
        assertThat(DiscoveryMode.FRONTIER.value()).isEqualTo("Frontier");
    }

    @Test
    void unsetOrBlankIsLocalAsForAnOperatorThatDoesNotStoreDiscoveredRequests() {
        assertThat(DiscoveryMode.parse(null)).isEqualTo(DiscoveryMode.LOCAL);
        assertThat(DiscoveryMode.parse("  ")).isEqualTo(DiscoveryMode.LOCAL);
    }

    @Test
    void anyOtherValueIsRefusedNamingTheValidOnes() {
        assertThatThrownBy(() -> DiscoveryMode.parse("frontiers"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected Frontier or Local, not 'frontiers'");
    }
}
