package io.kubecrawl.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kubecrawl.crd.v1alpha1.ConfigMapSource;
import io.kubecrawl.crd.v1alpha1.KeyToPath;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.crd.v1alpha1.SpiderSpec;
import io.kubecrawl.e2e.cluster.KubecrawlCluster;
import io.kubecrawl.operator.testing.LoopbackLinkGraphSite;

/**
 * The Scrapy project that crawls a {@link LoopbackLinkGraphSite} by following every link, as a Spider of its own
 * ConfigMap: each page gives one item per entry ({@code url}, {@code text}) and a request per link, which in Frontier
 * mode go to the job's frontier. Every request names its worker in {@link LoopbackLinkGraphSite#CRAWLER_HEADER}, so
 * that the site can tell the workers apart.
 */
final class LinkGraphSpider {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG_MAP = "linkgraph-spider";

    private static final Map<String, String> FILES = files();

    private final KubecrawlCluster cluster;

    LinkGraphSpider(KubecrawlCluster cluster) {
        this.cluster = cluster;
    }

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("scrapy.cfg", "[settings]\ndefault = linkgraph.settings\n");
        files.put("linkgraph/__init__.py", "");
        files.put("linkgraph/settings.py", """
                import os

                BOT_NAME = "linkgraph"
                SPIDER_MODULES = ["linkgraph.spiders"]
                ROBOTSTXT_OBEY = False
                TELNETCONSOLE_ENABLED = False
                REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
                LOG_LEVEL = "INFO"
                # The site is ours: no delay, as fast as the runtime args allow.
                DOWNLOAD_DELAY = 0
                AUTOTHROTTLE_ENABLED = False
                # Shallower requests first (priority -depth): the frontier then serves a slot's queue breadth first.
                DEPTH_PRIORITY = 1
                DEFAULT_REQUEST_HEADERS = {
                    "Accept": "text/html",
                    "X-Kubecrawl-Worker": os.environ.get("KUBECRAWL_WORKER", ""),
                }
                """);
        files.put("linkgraph/spiders/__init__.py", "");
        files.put("linkgraph/spiders/linkgraph.py", """
                import scrapy


                class LinkGraphSpider(scrapy.Spider):
                    name = "linkgraph"

                    def parse(self, response):
                        for text in response.css("span.item::text").getall():
                            yield {"url": response.url, "text": text}
                        yield from response.follow_all(css="a", callback=self.parse)
                """);
        return files;
    }

    /** Creates {@code namespace} if need be and the project's ConfigMap in it. */
    void applyProject(String namespace) {
        cluster.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .endMetadata().build()).serverSideApply();
        Map<String, String> data = new LinkedHashMap<>();
        FILES.forEach((path, text) -> data.put(key(path), text));
        cluster.admin().configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(CONFIG_MAP).endMetadata().withData(data).build()).createOr(NonDeletingOperation::update);
    }

    /** A Spider {@code name} of the project that runs {@code scrapy crawl linkgraph} with the given extra arguments. */
    void applySpider(String namespace, String name, List<String> scrapyArguments) {
        Spider spider = new Spider();
        spider.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        SpiderSpec spec = new SpiderSpec();
        SpiderSource source = new SpiderSource();
        ConfigMapSource configMap = new ConfigMapSource();
        configMap.setName(CONFIG_MAP);
        configMap.setDefaultMode(0644);
        List<KeyToPath> items = new ArrayList<>();
        FILES.keySet().forEach(path -> items.add(new KeyToPath(key(path), path, null)));
        configMap.setItems(items);
        source.setConfigMap(configMap);
        spec.setSource(source);
        SpiderRuntime runtime = new SpiderRuntime();
        runtime.setImage(cluster.workerImage());
        runtime.setCommand(List.of("scrapy", "crawl", "linkgraph"));
        runtime.setArgs(List.copyOf(scrapyArguments));
        spec.setRuntime(runtime);
        spider.setSpec(spec);
        cluster.admin().resource(spider).createOr(NonDeletingOperation::update);
    }

    /** The key of a project file in the ConfigMap: its path with "/" written "__" (a key cannot hold a "/"). */
    private static String key(String path) {
        return path.replace("/", "__");
    }

    /** The {@code url}, a space and the {@code text} of each item of the items API's answer (JSON lines). */
    static List<String> itemKeys(String jsonLines) throws IOException {
        List<String> keys = new ArrayList<>();
        for (String line : jsonLines.lines().filter(line -> !line.isBlank()).toList()) {
            JsonNode item = JSON.readTree(line);
            keys.add(item.get("url").asText() + " " + item.get("text").asText());
        }
        return keys;
    }
}
