package io.kubecrawl.operator.upload;

import java.io.IOException;
import java.io.PushbackInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.operator.api.ApiAuthorizer;
import io.kubecrawl.operator.config.OperatorSettings;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.recovery.RecoveryGate;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

/**
 * {@code PUT /api/v1/namespaces/{namespace}/spiders/{name}/bundle}: a Spider's bundle as a {@code .tar.gz} or
 * {@code .zip} body, for whoever may {@code update} the Spider. Answers {@code 200 {"digest", "files", "bytes"}} once
 * the bundle is completely stored and the Spider points at it.
 *
 * <p>A Vert.x route rather than a JAX-RS method, for three reasons. The body is streamed with back-pressure into
 * the bundle store, whatever its size, never buffered ({@link RequestBodyStream}). The route runs before the HTTP
 * server's global body limit ({@code quarkus.http.limits.max-body-size}, which stays small for the rest of the API)
 * and enforces the upload's own limit with a message that says which limit was hit. And the caller, the Spider and
 * the declared size are all checked before the client is told to send the body ({@code Expect: 100-continue}), so a
 * refused upload costs no transfer.
 *
 * <p>Order of work, so that a failed or cancelled upload leaves nothing visible: read and check the archive while
 * storing each file; store the manifest; only then patch the Spider's annotation ({@link UploadedBundleRecorder}).
 */
@ApplicationScoped
public class BundleUploadResource {

    static final String PATH = "/api/v1/namespaces/:namespace/spiders/:name/bundle";
    /** Before the HTTP server's own handlers that check the global body limit (order -2). */
    private static final int ROUTE_ORDER = -3;
    /** Uploads processed at once; each holds a thread and a small buffer, and writes to disk. */
    private static final int PARALLEL_UPLOADS = 4;
    /** Uploads waiting for a thread, paused, before new ones are answered 503. */
    private static final int WAITING_UPLOADS = 16;
    /** A client that sends nothing for this long has gone. */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);
    /** After an early answer, how long the rest of the body is let through so the client can read the answer. */
    private static final long DRAIN_MILLIS = 2000;
    private static final String TEXT = "text/plain;charset=utf-8";
    private static final Logger LOG = Logger.getLogger(BundleUploadResource.class);

    private final ApiAuthorizer authorizer;
    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final UploadedBundleImporter importer;
    private final UploadSpool spool;
    private final UploadedBundleRecorder recorder;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final ThreadPoolExecutor workers;
    private final KillPoints killPoints;
    private final RecoveryGate gate;

    public BundleUploadResource(ApiAuthorizer authorizer, KubernetesClient client, OperatorSettings settings,
            UploadedBundleImporter importer, UploadSpool spool, UploadedBundleRecorder recorder, ObjectMapper json,
            Vertx vertx, KillPoints killPoints, RecoveryGate gate) {
        this.killPoints = killPoints;
        this.gate = gate;
        this.authorizer = authorizer;
        this.client = client;
        this.settings = settings;
        this.importer = importer;
        this.spool = spool;
        this.recorder = recorder;
        this.json = json;
        this.vertx = vertx;
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(PARALLEL_UPLOADS, PARALLEL_UPLOADS, 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(WAITING_UPLOADS), task -> {
                    Thread thread = new Thread(task, "kubecrawl-upload-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    void route(@Observes Router router) {
        router.put(PATH).order(ROUTE_ORDER).handler(this::accept);
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }

    /** On the event loop: takes over the body before any of it arrives, then hands the upload to a worker. */
    private void accept(RoutingContext context) {
        RequestBodyStream body = RequestBodyStream.attach(context.request(), STALL_TIMEOUT);
        String namespace = context.pathParam("namespace");
        String name = context.pathParam("name");
        if (!gate.isOpen()) {
            // Answered before the body is read: a refused upload costs no transfer and holds no thread.
            context.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(RecoveryGate.RETRY_AFTER_SECONDS));
            respond(context, body, 503, TEXT, gate.refusal() + "\n");
            return;
        }
        try {
            workers.execute(() -> upload(context, body, namespace, name));
        } catch (RejectedExecutionException busy) {
            respond(context, body, 503, TEXT, "the operator is busy with " + (PARALLEL_UPLOADS + WAITING_UPLOADS)
                    + " uploads; try again shortly\n");
        }
    }

    /** On a worker thread: the whole upload, answered exactly once. */
    private void upload(RoutingContext context, RequestBodyStream body, String namespace, String name) {
        HttpServerRequest request = context.request();
        SizeLimitedInputStream limited = null;
        Path spooled = null;
        long started = System.nanoTime();
        try {
            if (!UploadTarget.isValidName(namespace) || !UploadTarget.isValidName(name)) {
                throw new UploadRefusal(404, "Spider " + namespace + "/" + name + " does not exist");
            }
            authorizer.authorize(request.getHeader(HttpHeaders.AUTHORIZATION), "update", "spiders", namespace, name);
            Spider spider = UploadTarget.require(namespace, name,
                    client.resources(Spider.class).inNamespace(namespace).withName(name).get());
            long limit = UploadTarget.maxBytes(spider, settings.upload().maxBytes());
            checkDeclaredLength(request, limit);
            if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
                request.response().writeContinue();
            }

            limited = new SizeLimitedInputStream(body, limit);
            PushbackInputStream in = new PushbackInputStream(limited, ArchiveFormat.MAGIC_LENGTH);
            byte[] head = new byte[ArchiveFormat.MAGIC_LENGTH];
            int length = ArchiveFormat.readHead(in, head);
            in.unread(head, 0, length);
            ArchiveFormat format = ArchiveFormat.sniff(head, length).orElseThrow(() -> new UploadRefusal(415,
                    "the body is neither a .tar.gz nor a .zip archive (Content-Type "
                            + request.getHeader(HttpHeaders.CONTENT_TYPE) + "); send one of them"));
            ArchiveLimits limits = new ArchiveLimits(settings.upload().maxEntries(),
                    settings.upload().maxUnpackedBytes(), settings.upload().maxCompressionRatio());
            BundleManifest manifest;
            if (format == ArchiveFormat.TAR_GZ) {
                manifest = importer.importArchive(ArchiveReader.tarGz(in, limits));
            } else {
                spooled = spool.spool(in);
                manifest = importer.importArchive(ArchiveReader.zip(spooled, limits));
            }
            killPoints.reach(KillPoint.UPLOAD_STORED);
            // The Spider may have been deleted or changed during a long upload: check again, just before the patch.
            UploadTarget.require(namespace, name,
                    client.resources(Spider.class).inNamespace(namespace).withName(name).get());
            recorder.record(namespace, name, manifest.digest());

            double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
            LOG.infof("Spider %s/%s: uploaded bundle %s, %d files, %d bytes (%d bytes received, %.1f MB/s)",
                    namespace, name, manifest.digest(), manifest.files().size(), manifest.totalBytes(),
                    limited.count(), limited.count() / seconds / 1e6);
            respond(context, body, 200, "application/json", json.writeValueAsString(new UploadResult(
                    manifest.digest(), manifest.files().size(), manifest.totalBytes())));
        } catch (Exception e) {
            failed(context, body, limited, namespace, name, e);
        } finally {
            if (spooled != null) {
                spool.delete(spooled);
            }
        }
    }

    /** Answers a failed upload by what failed; the state of the body decides before the exception's type does. */
    private void failed(RoutingContext context, RequestBodyStream body, SizeLimitedInputStream limited,
            String namespace, String name, Exception e) {
        String spider = namespace + "/" + name;
        if (limited != null && limited.exceeded()) {
            LOG.infof("Spider %s: upload refused, larger than %d bytes", spider, limited.limit());
            respond(context, body, 413, TEXT, UploadTooLargeException.message(limited.limit()) + "\n");
        } else if (body.interrupted()) {
            LOG.infof("Spider %s: upload abandoned by the client (%s); nothing was kept", spider, e.getMessage());
            respond(context, body, 400, TEXT, "the upload was interrupted: " + e.getMessage() + "\n");
        } else if (e instanceof RejectedArchiveException rejected) {
            LOG.infof("Spider %s: upload refused: %s", spider, rejected.getMessage());
            respond(context, body, 400, TEXT, rejected.getMessage() + "\n");
        } else if (e instanceof ArchiveReadException unreadable) {
            LOG.infof("Spider %s: upload refused: %s", spider, unreadable.getMessage());
            respond(context, body, 400, TEXT, unreadable.getMessage() + "\n");
        } else if (e instanceof UploadRefusal refusal) {
            respond(context, body, refusal.status(), TEXT, refusal.getMessage() + "\n");
        } else if (e instanceof WebApplicationException denied) {
            // From ApiAuthorizer: 401 or 403, with its message and headers.
            denied.getResponse().getStringHeaders().forEach((header, values) -> {
                if (!header.equalsIgnoreCase("Content-Type")) {
                    context.response().putHeader(header, values);
                }
            });
            Object entity = denied.getResponse().getEntity();
            respond(context, body, denied.getResponse().getStatus(), TEXT, entity == null ? "" : entity.toString());
        } else if (e instanceof KubernetesClientException gone && gone.getCode() == 404) {
            respond(context, body, 404, TEXT, "Spider " + spider + " was deleted during the upload\n");
        } else if (e instanceof KubernetesClientException apiServer) {
            LOG.warnf(apiServer, "Spider %s: upload failed on the API server", spider);
            respond(context, body, 503, TEXT, "the operator cannot read or update Spider " + spider + " ("
                    + apiServer.getMessage() + "); try again\n");
        } else if (e instanceof IOException storage) {
            LOG.errorf(storage, "Spider %s: cannot store the uploaded bundle", spider);
            respond(context, body, 500, TEXT, "the operator cannot store the bundle in its data directory ("
                    + storage.getMessage() + ")\n");
        } else {
            LOG.errorf(e, "Spider %s: upload failed", spider);
            respond(context, body, 500, TEXT, "the upload failed: " + e + "\n");
        }
    }

    /** A body declared larger than the limit is refused before a byte of it is read. */
    private static void checkDeclaredLength(HttpServerRequest request, long limit) {
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared == null) {
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            throw new UploadRefusal(400, "Content-Length '" + declared + "' is not a number");
        }
        if (length > limit) {
            throw new UploadRefusal(413, "the archive is " + length + " bytes, " + UploadTooLargeException
                    .message(limit).substring("the archive is ".length()));
        }
    }

    /**
     * Sends the answer, once. When the body has not been read to its end (an early answer), the rest of it is
     * dropped as it comes, so that a client still sending can read the answer. Over HTTP/1.1 the connection cannot
     * carry another request then: it is marked to close and closed after {@value #DRAIN_MILLIS} ms. Over HTTP/2 only
     * the request's stream is reset.
     */
    private void respond(RoutingContext context, RequestBodyStream body, int status, String type, String text) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.closed()) {
            return;
        }
        HttpServerRequest request = context.request();
        boolean early = !body.complete();
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        if (early) {
            body.discardRest();
            if (!http2) {
                response.putHeader(HttpHeaders.CONNECTION, "close");
            }
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, type).end(text).onComplete(sent -> {
            if (!early) {
                return;
            }
            if (http2) {
                // RFC 9113 8.1: a complete response, then RST_STREAM(NO_ERROR) asks the client to stop sending. The
                // connection carries other streams and stays.
                response.reset(0);
            } else {
                vertx.setTimer(DRAIN_MILLIS, timer -> request.connection().close());
            }
        });
    }
}
