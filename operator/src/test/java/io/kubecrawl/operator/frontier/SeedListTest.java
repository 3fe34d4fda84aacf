package io.kubecrawl.operator.frontier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class SeedListTest {

    @Test
    void urlsAndJsonRequestsSkippingBlanksAndComments() {
        List<SeedRequest> seeds = SeedList.parse(List.of(
                "# seeds", "http://a.test/1", "", "  https://b.test/2  ",
                "{\"url\": \"http://c.test/3\", \"meta\": {\"depth\": 1}}"));

        assertThat(seeds).extracting(SeedRequest::url)
                .containsExactly("http://a.test/1", "https://b.test/2", "http://c.test/3");
        assertThat(seeds.get(2).line()).contains("\"meta\"");
    }

    @Test
    void invalidLinesNameTheirLineNumber() {
        assertThatThrownBy(() -> SeedList.parse(List.of("http://a.test/", "ftp://b.test/x")))
                .isInstanceOf(InvalidSeedException.class).hasMessageContaining("seed line 2");
        assertThatThrownBy(() -> SeedList.parse(List.of("{\"nourl\": 1}")))
                .hasMessageContaining("seed line 1").hasMessageContaining("url");
        assertThatThrownBy(() -> SeedList.parse(List.of("{broken")))
                .hasMessageContaining("not valid JSON");
    }
}
