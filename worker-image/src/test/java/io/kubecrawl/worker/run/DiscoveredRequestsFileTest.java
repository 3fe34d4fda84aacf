package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.kubecrawl.protocol.v1.DiscoveredRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveredRequestsFileTest {
    @TempDir
    Path temp;

    private static String line(String url) {
        return "{\"url\":\"" + url + "\",\"fingerprint\":\"0a1b\",\"request\":\"{\\\"url\\\":\\\"" + url + "\\\"}\"}";
    }

    private List<String> urlsSent(Path file) throws Exception {
        List<String> urls = new ArrayList<>();
        DiscoveredRequestsFile.send(file, part -> part.getRequestsList().stream().map(DiscoveredRequest::getUrl)
                .forEach(urls::add));
        return urls;
    }

    @Test
    void linesAcrossTheReadBufferBlankLinesAndALastLineWithoutLineFeedAreAllRead() throws Exception {
        // Long URLs, so that many lines straddle the reader's 64 KiB buffer.
        List<String> expected = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            String url = "https://a.example/" + i + "/" + "p".repeat(700 + i);
            expected.add(url);
            text.append(line(url)).append(i % 7 == 0 ? "\n  \r\n" : "\n");
        }
        text.append(line("https://a.example/last"));
        expected.add("https://a.example/last");
        Path file = temp.resolve("discovered.jsonl");
        Files.writeString(file, text, StandardCharsets.UTF_8);

        assertThat(DiscoveredRequestsFile.check(file)).isEqualTo(expected.size());
        assertThat(urlsSent(file)).containsExactlyElementsOf(expected);
    }

    @Test
    void aMalformedLineIsNamedByItsNumberCountingBlankLines() throws Exception {
        Path file = temp.resolve("discovered.jsonl");
        Files.writeString(file, line("https://a.example/1") + "\n\n" + "{\"url\": 1}\n");

        assertThatThrownBy(() -> DiscoveredRequestsFile.check(file))
                .isInstanceOf(DiscoveredRequestsFile.Malformed.class).hasMessageStartingWith("line 3: ");
    }

    @Test
    void aLineLongerThanTheLimitIsMalformedWithoutBeingReadWhole() throws Exception {
        Path file = temp.resolve("discovered.jsonl");
        Files.writeString(file, line("https://a.example/1") + "\n"
                + "x".repeat(DiscoveredRequestsFile.MAX_LINE_BYTES + 1) + "\n");

        assertThatThrownBy(() -> DiscoveredRequestsFile.check(file))
                .isInstanceOf(DiscoveredRequestsFile.Malformed.class)
                .hasMessage("line 2: longer than " + DiscoveredRequestsFile.MAX_LINE_BYTES + " bytes");
    }

    @Test
    void aFileThatDoesNotExistHoldsNoRequests() throws Exception {
        assertThat(DiscoveredRequestsFile.check(temp.resolve("absent.jsonl"))).isZero();
        assertThat(urlsSent(temp.resolve("absent.jsonl"))).isEmpty();
    }
}
