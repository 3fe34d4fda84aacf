package io.kubecrawl.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.protocol.CrawlJobName;
import io.kubecrawl.protocol.WorkerCredentials;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.FilesChunk;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.kubecrawl.protocol.v1.ReadFilesRequest;

/**
 * A real grpc-java BundleService on loopback that serves the files of a directory, standing in for the operator: it
 * checks the worker credentials, serves ReadFile from any offset and ReadFiles (whole files, in request order) with
 * flow control (it sends only while the stream is ready), counts what it is asked and sends, and injects faults on
 * request, in either call: a stream cut after some bytes of a file, a chunk with a flipped byte, the whole server
 * stopped in the middle of a file and started again on the same port. It can also play an operator older than
 * ReadFiles, which answers it UNIMPLEMENTED.
 *
 * <p>Its {@link #main} runs it as a process, for the benchmark.
 */
public final class DirectoryBundleServer implements AutoCloseable {
    public static final CrawlJobName JOB = new CrawlJobName("crawls", "quotes-1");
    public static final String TOKEN = "t0ken-from-secret";
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;

    /**
     * One file the server was asked for and started to send: a ReadFile request as received, or a file of a ReadFiles
     * request once its turn came (offset 0).
     */
    public record Read(String path, long offset) {
    }

    private record Served(Manifest manifest, Map<String, Path> bySha256, Map<String, String> pathBySha256) {
    }

    private final String token;
    private final CrawlJobName job;
    private final int chunkSize;
    private volatile Served served;
    /** Set by {@link #serveManifest}: answer GetManifest with that manifest whatever digest is asked for. */
    private volatile boolean anyDigest;
    private volatile Server server;
    private volatile int port;
    /** Set by {@link #serveTls}: the server speaks TLS with this context, as the operator does by default. */
    private volatile SslContext tls;

    private final AtomicInteger manifestCalls = new AtomicInteger();
    private final AtomicInteger readFileCalls = new AtomicInteger();
    private final AtomicInteger readFilesCalls = new AtomicInteger();
    private volatile boolean readFilesUnimplemented;
    private final AtomicLong bytesSent = new AtomicLong();
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

    // Faults, each for one bundle path.
    private volatile String cutPath;
    private volatile long cutAfterBytes;
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private volatile String corruptPath;
    private final AtomicInteger corruptionsLeft = new AtomicInteger();
    private volatile String restartPath;
    private volatile long restartAfterBytes;
    private volatile Duration restartDowntime;
    private final AtomicInteger restartsLeft = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();

    private DirectoryBundleServer(CrawlJobName job, String token, int chunkSize) {
        this.job = job;
        this.token = token;
        this.chunkSize = chunkSize;
    }

    /** Serves {@code directory} on a free loopback port with the default job, token and chunk size. */
    public static DirectoryBundleServer serve(Path directory) throws IOException {
        return serve(directory, JOB, TOKEN, 0, DEFAULT_CHUNK_SIZE);
    }

    public static DirectoryBundleServer serve(Path directory, CrawlJobName job, String token, int port, int chunkSize)
            throws IOException {
        DirectoryBundleServer bundleServer = new DirectoryBundleServer(job, token, chunkSize);
        bundleServer.serveDirectory(directory);
        bundleServer.start(port);
        return bundleServer;
    }

    /** As {@link #serve(Path)}, over TLS with {@code tls} (a server context holding its certificate and key). */
    public static DirectoryBundleServer serveTls(Path directory, SslContext tls) throws IOException {
        DirectoryBundleServer bundleServer = new DirectoryBundleServer(JOB, TOKEN, DEFAULT_CHUNK_SIZE);
        bundleServer.tls = tls;
        bundleServer.serveDirectory(directory);
        bundleServer.start(0);
        return bundleServer;
    }

    /** From now on, serves the files of {@code directory} (their paths, modes, sizes and sha256). */
    public void serveDirectory(Path directory) throws IOException {
        List<BundleFile> files = new ArrayList<>();
        Map<String, Path> bySha256 = new HashMap<>();
        Map<String, String> pathBySha256 = new HashMap<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) walk::iterator) {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String path = directory.relativize(file).toString();
                String sha256 = Trees.sha256(file);
                int mode = Trees.mode(file);
                files.add(new BundleFile(path, mode, Files.size(file), sha256));
                bySha256.put(sha256, file);
                pathBySha256.put(sha256, path);
            }
        }
        served = new Served(new BundleManifest(files).toProto(), bySha256, pathBySha256);
        anyDigest = false;
    }

    /** From now on, answers GetManifest with {@code manifest} as it is, however wrong; ReadFile finds no file. */
    public void serveManifest(Manifest manifest) {
        served = new Served(manifest, Map.of(), Map.of());
        anyDigest = true;
    }

    public String digest() {
        return served.manifest().getDigest();
    }

    public Manifest manifest() {
        return served.manifest();
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public int manifestCalls() {
        return manifestCalls.get();
    }

    public int readFileCalls() {
        return readFileCalls.get();
    }

    /** ReadFiles calls received, answered or not. */
    public int readFilesCalls() {
        return readFilesCalls.get();
    }

    /** From now on, answers ReadFiles UNIMPLEMENTED, as an operator older than that call does. */
    public void withoutReadFiles() {
        readFilesUnimplemented = true;
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    /** Every file read, by either call, in the order the server started to send them. */
    public List<Read> reads() {
        return List.copyOf(reads);
    }

    public int restarts() {
        return restarts.get();
    }

    public void resetCounters() {
        manifestCalls.set(0);
        readFileCalls.set(0);
        readFilesCalls.set(0);
        bytesSent.set(0);
        reads.clear();
    }

    /** The next {@code times} streams of {@code path} end with UNAVAILABLE once {@code afterBytes} are sent. */
    public void cutStream(String path, long afterBytes, int times) {
        cutAfterBytes = afterBytes;
        cutPath = path;
        cutsLeft.set(times);
    }

    /** The next {@code times} streams of {@code path} carry one flipped byte (Integer.MAX_VALUE: always). */
    public void corruptChunks(String path, int times) {
        corruptPath = path;
        corruptionsLeft.set(times);
    }

    /**
     * Once {@code afterBytes} of {@code path} are sent, the server stops sending, shuts down (cutting every
     * connection), stays down for {@code downtime} and starts again on the same port.
     */
    public void restartMidFile(String path, long afterBytes, Duration downtime) {
        restartAfterBytes = afterBytes;
        restartDowntime = downtime;
        restartPath = path;
        restartsLeft.set(1);
    }

    /** The faults one stream of {@code path} carries; each fault set for {@code times} streams is used up here. */
    private Faults faultsFor(String path) {
        return new Faults(path.equals(cutPath) && cutsLeft.getAndUpdate(left -> Math.max(left - 1, 0)) > 0,
                path.equals(corruptPath) && corruptionsLeft.getAndUpdate(
                        left -> left == Integer.MAX_VALUE ? left : Math.max(left - 1, 0)) > 0,
                path.equals(restartPath) && restartsLeft.getAndUpdate(left -> Math.max(left - 1, 0)) > 0);
    }

    private record Faults(boolean cut, boolean corrupt, boolean restart) {
    }

    private void start(int requestedPort) throws IOException {
        ServerInterceptor credentials = new CredentialsCheck();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), requestedPort));
        if (tls != null) {
            builder.sslContext(tls);
        }
        Server started = builder
                .addService(ServerInterceptors.intercept(new Service(), credentials))
                .directExecutor()
                .build()
                .start();
        port = started.getPort();
        server = started;
    }

    /** Stops the server at once, cutting every call, and waits until it is down. */
    public void stop() {
        Server current = server;
        if (current != null) {
            current.shutdownNow();
            try {
                current.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops taking calls, lets those in progress end (for at most 10 s), then stops. */
    private void stopGracefully() throws InterruptedException {
        Server current = server;
        if (current != null) {
            current.shutdown();
            if (!current.awaitTermination(10, TimeUnit.SECONDS)) {
                current.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts the server again on the port it had. */
    public void startAgain() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                start(port);
                return;
            } catch (IOException inUse) {
                last = inUse;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw last;
    }

    @Override
    public void close() {
        stop();
    }

    /** UNAUTHENTICATED without well-formed credentials, PERMISSION_DENIED with the wrong token or job. */
    private final class CredentialsCheck implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next) {
            var presented = WorkerCredentials.bearerToken(headers);
            var presentedJob = WorkerCredentials.job(headers);
            if (presented.isEmpty() || presentedJob.isEmpty()) {
                call.close(Status.UNAUTHENTICATED.withDescription("no worker credentials"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            if (!presented.get().equals(token) || !presentedJob.get().equals(job)) {
                if (call.getMethodDescriptor().getBareMethodName().equals("GetManifest")) {
                    manifestCalls.incrementAndGet();
                }
                call.close(Status.PERMISSION_DENIED.withDescription("the token does not open job "
                        + presentedJob.get()), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    private final class Service extends BundleServiceGrpc.BundleServiceImplBase {
        @Override
        public void getManifest(GetManifestRequest request, StreamObserver<Manifest> responses) {
            manifestCalls.incrementAndGet();
            Manifest manifest = served.manifest();
            if (!anyDigest && !request.getBundleDigest().isEmpty()
                    && !request.getBundleDigest().equals(manifest.getDigest())) {
                responses.onError(Status.PERMISSION_DENIED.withDescription("bundle " + request.getBundleDigest()
                        + " is not the job's").asRuntimeException());
                return;
            }
            responses.onNext(manifest);
            responses.onCompleted();
        }

        @Override
        public void readFile(ReadFileRequest request, StreamObserver<FileChunk> responses) {
            readFileCalls.incrementAndGet();
            Served current = served;
            Path file = current.bySha256().get(request.getSha256());
            String path = current.pathBySha256().get(request.getSha256());
            reads.add(new Read(path, request.getOffset()));
            if (file == null) {
                responses.onError(Status.PERMISSION_DENIED.withDescription("no file " + request.getSha256()
                        + " in the job's bundle").asRuntimeException());
                return;
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
                if (request.getOffset() < 0 || request.getOffset() > channel.size()) {
                    channel.close();
                    responses.onError(Status.OUT_OF_RANGE.withDescription("offset " + request.getOffset()
                            + " is beyond the file").asRuntimeException());
                    return;
                }
            } catch (IOException unreadable) {
                responses.onError(Status.INTERNAL.withDescription(unreadable.toString()).asRuntimeException());
                return;
            }
            ServerCallStreamObserver<FileChunk> call = (ServerCallStreamObserver<FileChunk>) responses;
            Sender sender = new Sender(path, channel, request.getOffset(), call);
            call.setOnCancelHandler(sender::close);
            call.setOnReadyHandler(sender);
        }

        @Override
        public void readFiles(ReadFilesRequest request, StreamObserver<FilesChunk> responses) {
            readFilesCalls.incrementAndGet();
            if (readFilesUnimplemented) {
                super.readFiles(request, responses);
                return;
            }
            Served current = served;
            if (request.getSha256Count() == 0 || request.getSha256Count() > 1_000) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription(request.getSha256Count()
                        + " files named; 1 to 1,000 are allowed").asRuntimeException());
                return;
            }
            for (String sha256 : request.getSha256List()) {
                if (!current.bySha256().containsKey(sha256)) {
                    responses.onError(Status.PERMISSION_DENIED.withDescription("no file " + sha256
                            + " in the job's bundle").asRuntimeException());
                    return;
                }
            }
            ServerCallStreamObserver<FilesChunk> call = (ServerCallStreamObserver<FilesChunk>) responses;
            GroupSender sender = new GroupSender(request.getSha256List(), current, call);
            call.setOnCancelHandler(sender::close);
            call.setOnReadyHandler(sender);
        }
    }

    /** Sends whole files one after the other while the stream is ready, and stops when it is not: flow control. */
    private final class GroupSender implements Runnable {
        private final List<String> sha256s;
        private final Served current;
        private final ServerCallStreamObserver<FilesChunk> call;
        private int index = -1;
        private String path;
        private FileChannel channel;
        private long size;
        private long position;
        private Faults faults;
        private boolean done;

        GroupSender(List<String> sha256s, Served current, ServerCallStreamObserver<FilesChunk> call) {
            this.sha256s = sha256s;
            this.current = current;
            this.call = call;
        }

        @Override
        public synchronized void run() {
            try {
                while (!done && call.isReady()) {
                    if (call.isCancelled()) {
                        close();
                        return;
                    }
                    if (channel == null) {
                        if (index + 1 >= sha256s.size()) {
                            done = true;
                            call.onCompleted();
                            return;
                        }
                        index++;
                        path = current.pathBySha256().get(sha256s.get(index));
                        reads.add(new Read(path, 0));
                        channel = FileChannel.open(current.bySha256().get(sha256s.get(index)),
                                StandardOpenOption.READ);
                        size = channel.size();
                        position = 0;
                        faults = faultsFor(path);
                    }
                    if (faults.cut() && position >= cutAfterBytes && position < size) {
                        close();
                        call.onError(Status.UNAVAILABLE.withDescription("injected: stream cut after " + position
                                + " bytes of " + path).asRuntimeException());
                        return;
                    }
                    if (faults.restart() && position >= restartAfterBytes && position < size) {
                        close();
                        restartInBackground(call);
                        return;
                    }
                    int length = (int) Math.min(chunkSize, size - position);
                    byte[] data = new byte[length];
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, position + buffer.position()) < 0) {
                            throw new IOException("the file shrank");
                        }
                    }
                    if (faults.corrupt() && position == 0 && length > 0) {
                        data[length / 2] ^= 0x5a;
                    }
                    boolean last = position + length >= size;
                    call.onNext(FilesChunk.newBuilder().setIndex(index).setOffset(position)
                            .setData(UnsafeByteOperations.unsafeWrap(data)).setLast(last).build());
                    position += length;
                    bytesSent.addAndGet(length);
                    if (last) {
                        channel.close();
                        channel = null;
                    }
                }
            } catch (IOException | RuntimeException failure) {
                close();
                call.onError(Status.INTERNAL.withDescription(failure.toString()).asRuntimeException());
            }
        }

        synchronized void close() {
            done = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }

    /** Sends a file's chunks while the stream is ready, and stops when it is not: flow control. */
    private final class Sender implements Runnable {
        private final String path;
        private final FileChannel channel;
        private final ServerCallStreamObserver<FileChunk> call;
        private final long startedAt;
        private long position;
        private boolean done;
        private final boolean cut;
        private final boolean corrupt;
        private final boolean restart;

        Sender(String path, FileChannel channel, long offset, ServerCallStreamObserver<FileChunk> call) {
            this.path = path;
            this.channel = channel;
            this.call = call;
            this.position = offset;
            this.startedAt = offset;
            Faults faults = faultsFor(path);
            this.cut = faults.cut();
            this.corrupt = faults.corrupt();
            this.restart = faults.restart();
        }

        @Override
        public synchronized void run() {
            try {
                long size = channel.size();
                while (!done && call.isReady()) {
                    if (call.isCancelled()) {
                        close();
                        return;
                    }
                    if (position >= size) {
                        close();
                        call.onCompleted();
                        return;
                    }
                    if (cut && position - startedAt >= cutAfterBytes) {
                        close();
                        call.onError(Status.UNAVAILABLE.withDescription("injected: stream cut after "
                                + (position - startedAt) + " bytes").asRuntimeException());
                        return;
                    }
                    if (restart && position >= restartAfterBytes) {
                        close();
                        restartInBackground(call);
                        return;
                    }
                    int length = (int) Math.min(chunkSize, size - position);
                    byte[] data = new byte[length];
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, position + buffer.position()) < 0) {
                            throw new IOException("the file shrank");
                        }
                    }
                    if (corrupt && position == startedAt) {
                        data[length / 2] ^= 0x5a;
                    }
                    call.onNext(FileChunk.newBuilder().setOffset(position)
                            .setData(UnsafeByteOperations.unsafeWrap(data)).build());
                    position += length;
                    bytesSent.addAndGet(length);
                }
            } catch (IOException | RuntimeException failure) {
                close();
                call.onError(Status.INTERNAL.withDescription(failure.toString()).asRuntimeException());
            }
        }

        synchronized void close() {
            done = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }

    /**
     * Goes down mid-file and comes back after the downtime. The call in progress ends with UNAVAILABLE, as a server
     * going away ends it, and gRPC delivers every chunk sent before that status; the server then shuts down, letting
     * other calls finish, and is unreachable until it starts again.
     */
    private void restartInBackground(ServerCallStreamObserver<?> call) {
        call.onError(Status.UNAVAILABLE.withDescription("injected: the server is restarting").asRuntimeException());
        Thread restarter = new Thread(() -> {
            try {
                stopGracefully();
                restarts.incrementAndGet();
                Thread.sleep(restartDowntime.toMillis());
                startAgain();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
        }, "bundle-server-restart");
        restarter.setDaemon(true);
        restarter.start();
    }

    /**
     * Serves a directory until killed: {@code DirectoryBundleServer <directory> [port] [chunk size]}, with the job
     * and token of {@link #JOB} and {@link #TOKEN}. Prints {@code port=<port> digest=<digest> files=<n>} once ready.
     */
    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int chunkSize = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_CHUNK_SIZE;
        DirectoryBundleServer server = serve(directory, JOB, TOKEN, port, chunkSize);
        System.out.println("port=" + server.port() + " digest=" + server.digest() + " files="
                + server.manifest().getFilesCount());
        System.out.flush();
        Thread.currentThread().join();
    }
}
