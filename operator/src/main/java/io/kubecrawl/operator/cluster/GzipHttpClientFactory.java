package io.kubecrawl.operator.cluster;

import java.io.Closeable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import jakarta.enterprise.inject.spi.CDI;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;

/**
 * The Kubernetes client's HTTP clients: fabric8's Vert.x clients on the application's Vert.x, as Quarkus's own
 * factory makes them, which also ask the API server for gzip-compressed responses and inflate them, as client-go's
 * do. The API server compresses a response of more than 128 KiB when asked: the informers' list pages, 9 MB of JSON
 * after a restart with 1,000 CrawlJobs, arrive in a fraction of that. The operator then decrypts that much less TLS
 * before it can recover its jobs: the decryption was the largest single part of its CPU samples until then, since
 * the JIT compilers have not reached the JDK's AES-GCM code that early, while inflating is the JDK's native zlib.
 *
 * <p>fabric8 picks the factory of the highest priority that the service loader finds
 * ({@code META-INF/services/io.fabric8.kubernetes.client.http.HttpClient$Factory}): fabric8's has 0, Quarkus's 1. Its
 * builder makes its Vert.x options itself and offers no way to change them, so the builder is given the application's
 * Vert.x behind a proxy that turns decompression on in the options of each HTTP client it creates and passes every
 * other call through.
 */
public class GzipHttpClientFactory implements HttpClient.Factory, Closeable {

    private final Vertx vertx;
    private final boolean ownVertx;

    public GzipHttpClientFactory() {
        Vertx application = applicationVertx();
        this.ownVertx = application == null;
        this.vertx = ownVertx ? Vertx.vertx() : application;
    }

    @Override
    public VertxHttpClientBuilder<GzipHttpClientFactory> newBuilder() {
        return new VertxHttpClientBuilder<>(this, decompressing(vertx));
    }

    @Override
    public int priority() {
        return 2;
    }

    @Override
    public void close() {
        if (ownVertx) {
            vertx.close();
        }
    }

    /** The application's Vert.x, or null outside a Quarkus application (a plain test). */
    private static Vertx applicationVertx() {
        try {
            return CDI.current().select(Vertx.class).get();
        } catch (RuntimeException | LinkageError noContainer) {
            return null;
        }
    }

    private static Vertx decompressing(Vertx vertx) {
        return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createHttpClient") && args != null && args.length > 0
                            && args[0] instanceof HttpClientOptions options) {
                        // Sends Accept-Encoding: deflate, gzip and inflates what comes back compressed.
                        options.setDecompressionSupported(true);
                    }
                    try {
                        return method.invoke(vertx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
