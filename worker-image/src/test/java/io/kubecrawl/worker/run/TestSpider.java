package io.kubecrawl.worker.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The spider of the agent tests: a POSIX shell script, run as {@code sh <script> <mode> [arguments]}, that reads
 * KUBECRAWL_BATCH_FILE and writes one JSON item per request to KUBECRAWL_ITEMS_FILE, saying what it does on stdout
 * and stderr. Modes:
 * <ul>
 * <li>{@code crawl}: the items, exit 0;</li>
 * <li>{@code fail <code>}: 25 numbered lines on stderr, exit {@code code};</li>
 * <li>{@code hold <pid file> <release file>}: writes its pid, waits until the release file exists, then crawls;</li>
 * <li>{@code big <lines>}: that many items of about 900 bytes each, exit 0.</li>
 * </ul>
 */
final class TestSpider {
    static final String SCRIPT = """
            #!/bin/sh
            set -eu
            mode="$1"
            echo "batch $KUBECRAWL_BATCH attempt $KUBECRAWL_BATCH_ATTEMPT of $KUBECRAWL_NAMESPACE/$KUBECRAWL_JOB" \\
              "on $KUBECRAWL_WORKER"
            echo "reading $(wc -l < "$KUBECRAWL_BATCH_FILE") requests" >&2
            echo "process $$, agent socket ${KUBECRAWL_AGENT_SOCKET:-unset}"
            crawl() {
              while IFS= read -r url; do
                printf '{"url": "%s", "batch": "%s"}\\n' "$url" "$KUBECRAWL_BATCH" >> "$KUBECRAWL_ITEMS_FILE"
              done < "$KUBECRAWL_BATCH_FILE"
            }
            case "$mode" in
              crawl) crawl ;;
              fail)
                i=1
                while [ "$i" -le 25 ]; do echo "error line $i" >&2; i=$((i + 1)); done
                exit "$2" ;;
              hold)
                echo $$ > "$2"
                while [ ! -f "$3" ]; do sleep 0.1; done
                crawl ;;
              big)
                line=$(printf '%0900d' 0)
                i=0
                while [ "$i" -lt "$2" ]; do
                  printf '{"n": %d, "pad": "%s"}\\n' "$i" "$line" >> "$KUBECRAWL_ITEMS_FILE"
                  i=$((i + 1))
                done ;;
            esac
            echo "done"
            """;

    private TestSpider() {
    }

    /** Writes the script into {@code directory} and returns the command that runs it in {@code mode}. */
    static List<String> command(Path directory, String... modeAndArguments) throws IOException {
        Path script = directory.resolve("spider.sh");
        if (!Files.exists(script)) {
            Files.writeString(script, SCRIPT);
        }
        List<String> command = new java.util.ArrayList<>(List.of("sh", script.toString()));
        command.addAll(List.of(modeAndArguments));
        return command;
    }

    /** The items the crawl mode writes for these requests. */
    static String items(String batch, String... requests) {
        StringBuilder text = new StringBuilder();
        for (String request : requests) {
            text.append("{\"url\": \"").append(request).append("\", \"batch\": \"").append(batch).append("\"}\n");
        }
        return text.toString();
    }
}
