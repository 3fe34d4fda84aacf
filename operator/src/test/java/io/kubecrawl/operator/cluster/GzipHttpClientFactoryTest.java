package io.kubecrawl.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapListBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes client the operator builds asks for gzip-compressed responses and reads them, as an API server sends
 * them for a large list. The server here compresses only when asked, as the API server does.
 */
class GzipHttpClientFactoryTest {

    private HttpServer server;
    private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        byte[] list = Serialization.asJson(new ConfigMapListBuilder().withItems(IntStream.range(0, 200)
                .mapToObj(i -> new ConfigMapBuilder().withNewMetadata().withName("seeds-" + i).withNamespace("ns")
                        .endMetadata().addToData("seeds", "https://example.test/" + i).build())
                .toList()).withNewMetadata().endMetadata().build()).getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/namespaces/ns/configmaps", exchange -> {
            String accepted = exchange.getRequestHeaders().getFirst("Accept-Encoding");
            acceptEncodings.add(String.valueOf(accepted));
            boolean gzip = accepted != null && accepted.contains("gzip");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (gzip) {
                exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            }
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = gzip ? new GZIPOutputStream(exchange.getResponseBody())
                    : exchange.getResponseBody()) {
                body.write(list);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void theOperatorsKubernetesClientAsksForGzipAndReadsIt() {
        assertThat(HttpClientUtils.getHttpClientFactory()).as("the factory fabric8 picks")
                .isInstanceOf(GzipHttpClientFactory.class);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withNamespace("ns").build())
                .build()) {
            List<ConfigMap> items = client.configMaps().inNamespace("ns").list().getItems();

            assertThat(items).hasSize(200);
            assertThat(items.get(199).getData()).containsEntry("seeds", "https://example.test/199");
        }
        assertThat(acceptEncodings).singleElement().asString().contains("gzip");
    }
}
