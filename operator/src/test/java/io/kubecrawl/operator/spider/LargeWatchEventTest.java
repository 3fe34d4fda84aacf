package io.kubecrawl.operator.spider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
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
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A ConfigMap source may be up to the API server's 1 MiB, and the operator watches ConfigMaps: the HTTP client the
 * operator is built with (fabric8's Vert.x client, which Quarkus's factory extends) must take watch events that
 * large. Some Vert.x clients stopped at a 64 KiB WebSocket frame. The fabric8 mock API server cannot show this (it
 * never delivers a watch event of an object over about 64 KiB), so this test plays the API server's part itself with
 * Netty: one WebSocket message per event, sent as one frame as the real API server sends it, and split into 64 KiB
 * frames. Not a Vert.x server: Quarkus tests earlier in the JVM switch WebSockets off for every Vert.x server in it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LargeWatchEventTest {

    private static final String WATCH_PATH = "/api/v1/namespaces/crawls/configmaps";
    /** Data of a ConfigMap just under the API server's 1 MiB object limit. */
    private static final int LARGE = 1_000_000;

    @ParameterizedTest(name = "sent in frames of at most {0} bytes")
    @ValueSource(ints = {16 << 20, 64 << 10})
    void aWatchEventOfANearlyOneMebibyteConfigMapArrives(int maxFrameSize) throws Exception {
        ConfigMap large = new ConfigMapBuilder().withNewMetadata().withName("large").withNamespace("crawls")
                .withResourceVersion("1").endMetadata().withData(Map.of("quotes.py", "#".repeat(LARGE))).build();
        byte[] event = new ObjectMapper().writeValueAsBytes(Map.of("type", "ADDED", "object", large));
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel apiServer = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                            .websocketPath(WATCH_PATH).checkStartsWith(true).build()),
                                    new WatchEventSender(event, maxFrameSize));
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) apiServer.localAddress()).getPort();
            List<Object> received = new CopyOnWriteArrayList<>();
            // The operator's client is built by Quarkus's factory, which is this one run on Quarkus's Vert.x instance.
            // Config.empty(): not the system properties that Quarkus tests run before this one leave behind.
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withHttpClientFactory(new VertxHttpClientFactory()).withConfig(new ConfigBuilder(Config.empty())
                    .withMasterUrl("http://127.0.0.1:" + port).build()).build();
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
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Sends the one watch event once the WebSocket handshake is done, in frames of at most {@code maxFrameSize}. */
    private static final class WatchEventSender extends ChannelInboundHandlerAdapter {
        private final byte[] event;
        private final int maxFrameSize;

        WatchEventSender(byte[] event, int maxFrameSize) {
            this.event = event;
            this.maxFrameSize = maxFrameSize;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext context, Object happened) throws Exception {
            if (!(happened instanceof WebSocketServerProtocolHandler.HandshakeComplete)) {
                super.userEventTriggered(context, happened);
                return;
            }
            for (int offset = 0; offset < event.length; offset += maxFrameSize) {
                int length = Math.min(maxFrameSize, event.length - offset);
                boolean last = offset + length == event.length;
                var data = Unpooled.wrappedBuffer(event, offset, length);
                context.write(offset == 0 ? new TextWebSocketFrame(last, 0, data)
                        : new ContinuationWebSocketFrame(last, 0, data));
            }
            context.flush();
        }
    }
}
