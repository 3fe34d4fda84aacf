package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.crd.v1alpha1.WorkersStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health check of docs/gitops.md, run as Argo CD runs it (a Lua script given the object as {@code obj},
 * returning {@code {status, message}}), on statuses as the operator writes them: what the doc's table promises.
 */
class ArgoCdHealthCheckTest {

    private static final String KEY = "resource.customizations.health.kubecrawl.io_CrawlJob: |";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-06T07:00:00Z");
    private static String script;

    @BeforeAll
    static void readTheCheckFromTheDocs() throws IOException {
        String doc = Files.readString(docs().resolve("gitops.md"));
        int start = doc.indexOf(KEY);
        assertThat(start).as("docs/gitops.md holds the CrawlJob health check").isPositive();
        StringBuilder lua = new StringBuilder();
        for (String line : doc.substring(start + KEY.length() + 1).split("\n")) {
            if (!line.startsWith("    ")) {
                break; // the next key of argocd-cm, or the end of the YAML block
            }
            lua.append(line.substring(4)).append('\n');
        }
        script = lua.toString();
        assertThat(script).contains("return hs");
    }

    @ParameterizedTest(name = "{0} {1}, ready workers {2}: {3}")
    @CsvSource({
        "Pending, WorkersStarting, 0, Progressing",
        "Pending, SpiderNotReconciled, 0, Progressing",
        "Pending, SpiderNotFound, 0, Degraded",
        "Pending, SeedsNotFound, 0, Degraded",
        "Running, Crawling, 2, Healthy",
        "Running, Crawling, 0, Progressing",
        "Completing, FrontierDrained, 1, Healthy",
        "Suspended, SuspendedBySpec, 0, Suspended",
        "Succeeded, CrawlCompleted, 0, Healthy",
        "Failed, WorkersFailed, 0, Degraded",
        "Failed, FrontierStoreBehind, 0, Degraded",
    })
    void eachPhaseHasTheHealthTheDocsTableGives(CrawlJobPhase phase, String reason, int ready, String health)
            throws IOException {
        CrawlJob crawlJob = crawlJob(1L);
        CrawlJobStatusBuilder status = new CrawlJobStatusBuilder(crawlJob, NOW).phase(phase, reason, "a message");
        status.workers(new WorkersStatus(2, ready, ready, 0, 0));
        crawlJob.setStatus(status.build());

        assertThat(health(crawlJob)).isEqualTo(health);
    }

    @Test
    void aStatusBehindTheSpecIsProgressingAndNoStatusAtAllToo() throws IOException {
        CrawlJob behind = crawlJob(2L);
        CrawlJobStatus status = new CrawlJobStatusBuilder(crawlJob(1L), NOW)
                .phase(CrawlJobPhase.Succeeded, CrawlJobReasons.CRAWL_COMPLETED, "done").build();
        behind.setStatus(status);

        assertThat(health(behind)).isEqualTo("Progressing");
        assertThat(health(crawlJob(1L))).isEqualTo("Progressing");
    }

    private static String health(CrawlJob crawlJob) throws IOException {
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", lua(JSON.readTree(JSON.writeValueAsString(crawlJob))));
        LuaValue result = globals.load(script, "crawljob-health").call();
        assertThat(result.get("message").isstring()).as("the check gives a message").isTrue();
        return result.get("status").tojstring();
    }

    /** JSON as Argo CD hands it to Lua: objects and arrays as tables (arrays from 1), scalars as they are. */
    private static LuaValue lua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                table.set(field.getKey(), lua(field.getValue()));
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, lua(node.get(i)));
            }
            return table;
        }
        if (node.isIntegralNumber()) {
            return LuaValue.valueOf(node.asLong());
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        return node.isNull() ? LuaValue.NIL : LuaValue.valueOf(node.asText());
    }

    private static CrawlJob crawlJob(long generation) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName("crawl").withNamespace("ns").withUid("uid-1")
                .withGeneration(generation).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        crawlJob.setSpec(spec);
        return crawlJob;
    }

    private static Path docs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/gitops.md"))) {
                return dir.resolve("docs");
            }
        }
        throw new IllegalStateException("no docs/gitops.md above " + Path.of("").toAbsolutePath());
    }
}
