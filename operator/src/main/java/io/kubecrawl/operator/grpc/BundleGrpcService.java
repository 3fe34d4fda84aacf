package io.kubecrawl.operator.grpc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kubecrawl.operator.bundle.BundleStore;
import io.kubecrawl.protocol.bundle.BundleFile;
import io.kubecrawl.protocol.bundle.BundleManifest;
import io.kubecrawl.protocol.v1.BundleServiceGrpc;
import io.kubecrawl.protocol.v1.FileChunk;
import io.kubecrawl.protocol.v1.GetManifestRequest;
import io.kubecrawl.protocol.v1.Manifest;
import io.kubecrawl.protocol.v1.ReadFileRequest;
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

    private final PinnedBundles pinnedBundles;
    private final BundleStore store;

    public BundleGrpcService(PinnedBundles pinnedBundles, BundleStore store) {
        this.pinnedBundles = pinnedBundles;
        this.store = store;
    }

    @Override
    @Blocking
    public void getManifest(GetManifestRequest request, StreamObserver<Manifest> responses) {
        try {
            BundleManifest manifest = pinnedBundles.manifestOf(AuthenticatedJob.current(), request.getBundleDigest());
            responses.onNext(manifest.toProto());
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
            BundleManifest manifest = pinnedBundles.manifestOf(job, request.getBundleDigest());
            BundleFile file = manifest.fileWithContent(request.getSha256()).orElseThrow(() -> Status.PERMISSION_DENIED
                    .withDescription("bundle " + manifest.digest() + " of CrawlJob " + job.name()
                            + " has no file with sha256 " + request.getSha256())
                    .asException());
            if (request.getOffset() < 0 || request.getOffset() > file.size()) {
                throw Status.OUT_OF_RANGE.withDescription("offset " + request.getOffset() + " is outside '"
                        + file.path() + "' (" + file.size() + " bytes)").asException();
            }
            FileChunkStreamer.start(open(file), request.getOffset(), file.size(),
                    (ServerCallStreamObserver<FileChunk>) responses);
        } catch (StatusException refused) {
            responses.onError(refused);
        }
    }

    private FileChannel open(BundleFile file) throws StatusException {
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
