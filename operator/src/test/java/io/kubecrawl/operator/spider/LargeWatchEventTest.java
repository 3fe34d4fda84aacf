package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A ConfigMap source may be up to the API server's 1 MiB, and the operator watches ConfigMaps: the HTTP client the
 * operator is built with (fabric8's Vert.x client, which Quarkus's factory extends) must take watch events that
 * large. Some Vert.x clients stopped at a 64 KiB WebSocket frame. The fabric8 mock API server cannot show this (it
 * never delivers a watch event of an object over about 64 KiB), so this test plays the API server's part itself: one
 * WebSocket message per event, sent as one frame as the real API server sends it, and split into 64 KiB frames. A
 * plain JUnit test, outside Quarkus: the Vert.x instances of this test are its own.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LargeWatchEventTest {

    private static final String DISABLE_WEBSOCKETS = "vertx.disableWebsockets";
    /** Data of a ConfigMap just under the API server's 1 MiB object limit. */
    private static final int LARGE = 1_000_000;

    @ParameterizedTest(name = "sent in frames of at most {0} bytes")
    @ValueSource(ints = {16 << 20, 64 << 10})
    void aWatchEventOfANearlyOneMebibyteConfigMapArrives(int maxFrameSize) throws Exception {
        ConfigMap large = new ConfigMapBuilder().withNewMetadata().withName("large").withNamespace("crawls")
                .withResourceVersion("1").endMetadata().withData(Map.of("quotes.py", "#".repeat(LARGE))).build();
        String event = new ObjectMapper().writeValueAsString(Map.of("type", "ADDED", "object", large));
        // Quarkus tests that ran before in this JVM leave vertx.disableWebsockets=true behind for their own server.
        String websocketsDisabled = System.clearProperty(DISABLE_WEBSOCKETS);
        Vertx vertx = Vertx.vertx();
        try {
            HttpServerOptions options = new HttpServerOptions().setMaxWebSocketFrameSize(maxFrameSize);
            HttpServer apiServer = vertx.createHttpServer(options)
                    .webSocketHandler(watch -> watch.writeTextMessage(event))
                    // Anything but a WebSocket watch fails at once rather than leaving the client waiting.
                    .requestHandler(request -> request.response().setStatusCode(400).end("expected a WebSocket watch"))
                    .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            List<Object> received = new CopyOnWriteArrayList<>();
            // The operator's client is built by Quarkus's factory, which is this one run on Quarkus's Vert.x instance.
            // Config.empty(): not the system properties that Quarkus tests run before this one leave behind.
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withHttpClientFactory(new VertxHttpClientFactory()).withConfig(new ConfigBuilder(Config.empty())
                    .withMasterUrl("http://localhost:" + apiServer.actualPort()).build()).build();
                    Watch watch = client.configMaps().inNamespace("crawls").watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, ConfigMap configMap) {
                            received.add(configMap);
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            received.add(cause == null ? "closed" : cause);
                        }
                    })) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
            }
            assertThat(received.get(0)).isInstanceOfSatisfying(ConfigMap.class, configMap ->
                    assertThat(configMap.getData().get("quotes.py")).hasSize(LARGE));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (websocketsDisabled != null) {
                System.setProperty(DISABLE_WEBSOCKETS, websocketsDisabled);
            }
        }
    }
}
