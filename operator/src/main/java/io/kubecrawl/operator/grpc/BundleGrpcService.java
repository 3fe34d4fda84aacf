package io.kubecrawl.operator.grpc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.operator.faults.KillPoint;
import io.kubecrawl.operator.faults.KillPoints;
import io.kubecrawl.operator.metrics.JobMetrics;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.FilesChunk;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
import io.kubecrawl.protocol.v1.ReadFilesRequest;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.common.annotation.Blocking;
import org.jboss.logging.Logger;

/**
 * Serves a worker its job's bundle (see {@code kubecrawl/v1/bundle.proto}): the manifest, and the files listed in it,
 * from the bundle store. A worker token opens its own job's pinned bundle and nothing else.
 *
 * <p>Blocking, because it reads the CrawlJob from the API server and files from disk.
 */
@GrpcService
@RegisterInterceptor(WorkerAuthInterceptor.class)
public class BundleGrpcService extends BundleServiceGrpc.BundleServiceImplBase {

    private static final Logger LOG = Logger.getLogger(BundleGrpcService.class);

    /** Files one ReadFiles call may name: enough to make per-call work negligible, small enough to check at once. */
    static final int MAX_FILES_PER_READ = 1_000;

    private final PinnedBundles pinnedBundles;
    private final BundleStore store;
    private final KillPoints killPoints;
    private final JobMetrics metrics;

    public BundleGrpcService(PinnedBundles pinnedBundles, BundleStore store, KillPoints killPoints,
            JobMetrics metrics) {
        this.metrics = metrics;
        this.pinnedBundles = pinnedBundles;
        this.store = store;
        this.killPoints = killPoints;
    }

    @Override
    @Blocking
    public void getManifest(GetManifestRequest request, StreamObserver<Manifest> responses) {
        try {
            responses.onNext(pinnedBundles.bundleOf(AuthenticatedJob.current(), request.getBundleDigest()).proto());
            responses.onCompleted();
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    @Override
    @Blocking
    public void readFile(ReadFileRequest request, StreamObserver<FileChunk> responses) {
        try {
            AuthenticatedJob job = AuthenticatedJob.current();
            BundleFile file = pinnedBundles.bundleOf(job, request.getBundleDigest()).file(job, request.getSha256());
            if (request.getOffset() < 0 || request.getOffset() > file.size()) {
                throw Status.OUT_OF_RANGE.withDescription("offset " + request.getOffset() + " is outside '"
                        + file.path() + "' (" + file.size() + " bytes)").asException();
            }
            FileChunkStreamer.start(open(file), request.getOffset(), file.size(),
                    (ServerCallStreamObserver<FileChunk>) responses);
            metrics.bundleBytesSent(job.name(), file.size() - request.getOffset());
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    @Override
    @Blocking
    public void readFiles(ReadFilesRequest request, StreamObserver<FilesChunk> responses) {
        try {
            int count = request.getSha256Count();
            if (count == 0 || count > MAX_FILES_PER_READ) {
                throw Status.INVALID_ARGUMENT.withDescription("a ReadFiles request names " + count
                        + " files; it may name 1 to " + MAX_FILES_PER_READ).asException();
            }
            AuthenticatedJob job = AuthenticatedJob.current();
            PinnedBundles.PinnedBundle bundle = pinnedBundles.bundleOf(job, request.getBundleDigest());
            // Every file is checked before the first byte goes out: a refused request sends nothing.
            List<BundleFile> files = new ArrayList<>(count);
            for (String sha256 : request.getSha256List()) {
                files.add(bundle.file(job, sha256));
            }
            FilesChunkStreamer.start(files, this::open, (ServerCallStreamObserver<FilesChunk>) responses);
            metrics.bundleBytesSent(job.name(), files.stream().mapToLong(BundleFile::size).sum());
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    private FileChannel open(BundleFile file) throws StatusException {
        killPoints.reach(KillPoint.BUNDLE_STREAMING);
        try {
            return store.openChannel(file.sha256());
        } catch (NoSuchFileException e) {
            throw Status.NOT_FOUND.withDescription("file '" + file.path() + "' (sha256 " + file.sha256()
                    + ") is not in the operator's bundle store").asException();
        } catch (IOException e) {
            LOG.errorf(e, "Cannot open stored file %s", file.sha256());
            throw Status.INTERNAL.withDescription("the operator cannot read file '" + file.path() + "'").asException();
        }
    }
}
