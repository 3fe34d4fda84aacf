package io.kubecrawl.operator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Settings of the operator; each one is also an environment variable (kubecrawl.worker.image = KUBECRAWL_WORKER_IMAGE). */
@ConfigMapping(prefix = "kubecrawl")
public interface OperatorSettings {

    Worker worker();

    Operator operator();

    Grpc grpc();

    /** Where bundles, items and logs live: the operator's persistent volume. */
    String dataDir();

    Upload upload();

    Bundles bundles();

    Outputs outputs();

    Frontier frontier();

    Recovery recovery();

    Test test();

    interface Recovery {
        /**
         * The longest the operator waits, once it has listed the CrawlJobs after its start, for every unfinished one to
         * be reconciled once before
         * it serves workers anyway: a job not recovered by then (its reconciles keep failing) is counted as timed
         * out, and its workers are told to come back until a reconcile of it succeeds.
         */
        @WithDefault("5m")
        Duration timeout();

        /**
         * Where to write the JVM's class-data archive (see io.kubecrawl.operator.recovery.ClassDataArchive): set by
         * the image's entrypoint, with -XX:AOTCacheOutput (JDK 25 and later) or -XX:+RecordDynamicDumpInfo, when the
         * data volume holds none for this build.
         */
        Optional<Path> classDataArchive();

        /**
         * How long after the recovery gate opens the archive is written: by then the operator has served workers and
         * run its periodic reconciles, so the archive holds their classes too.
         */
        @WithDefault("60s")
        Duration classDataArchiveDelay();

        /**
         * Memory, in bytes, the container must have free when an AOT cache is to be written (JDK 25 and later): a
         * second JVM assembles it in the same container (about 400 MiB with 1,000 CrawlJobs), and with less free the
         * operator writes none and says so. Default 512 MiB.
         */
        @WithDefault("536870912")
        long classDataArchiveFreeMemory();
    }

    /** Settings for tests only: the chart never sets them. */
    interface Test {
        /** Kill points to halt the operator at, once each (see io.kubecrawl.operator.faults.KillPoints). */
        Optional<String> killPoints();
    }

    interface Frontier {
        /**
         * How often a running job's frontier progress is written to its status (at most): the API server's write
         * load grows with the number of jobs, never with the number of workers or batches.
         */
        @WithDefault("5s")
        Duration checkpointInterval();

        /** How long a worker with nothing to do waits before asking for a batch again. */
        @WithDefault("2s")
        Duration retryAfter();
    }

    interface Worker {
        /** Image of the init container that syncs the bundle; it carries the kubecrawl-worker agent. */
        String image();

        /** Pod failures a worker Job tolerates before it fails. */
        int backoffLimit();
    }

    interface Operator {
        /** host:port of the operator's gRPC endpoint as worker pods reach it (the chart's Service). */
        @WithName("grpc-address")
        String grpcAddress();
    }

    /** The transport of the gRPC endpoint the workers dial. */
    interface Grpc {
        /**
         * Serve gRPC in plaintext, and tell the workers so (KUBECRAWL_OPERATOR_PLAINTEXT). Off by default: worker
         * tokens then cross the network in the clear. The chart sets it only from {@code grpc.plaintext}.
         */
        @WithDefault("false")
        boolean plaintext();

        Tls tls();

        interface Tls {
            /** The Secret (kubernetes.io/tls layout) holding the serving certificate, its key and the CA. */
            @WithDefault("kubecrawl-grpc-tls")
            String secret();

            /** The Secret's namespace: the operator's own. Unset: the Kubernetes client's namespace. */
            Optional<String> namespace();

            /**
             * The operator makes the CA and the serving certificate itself and renews them. False when another issuer
             * (cert-manager, the chart's {@code tls.certManager.enabled}) writes the Secret: the operator only reads
             * it.
             */
            @WithDefault("true")
            boolean generate();

            /**
             * Names the serving certificate carries besides those of the Service in grpc-address (DNS names or IPv4
             * addresses).
             */
            Optional<List<String>> extraNames();

            /** How long a serving certificate the operator makes is valid. */
            @WithDefault("2160h")
            Duration validity();

            /** How long the CA the operator makes is valid. */
            @WithDefault("87600h")
            Duration caValidity();

            /** A certificate (or CA) valid for less than this is renewed. */
            @WithDefault("720h")
            Duration renewBefore();

            /** How often the Secret is read again: to renew, or to pick up what another issuer renewed. */
            @WithDefault("1h")
            Duration checkInterval();
        }
    }

    interface Bundles {
        /** How often unpinned bundles are collected from the data directory (also the delay after start). */
        @WithDefault("10m")
        Duration gcInterval();

        /**
         * How old an unpinned manifest, blob or temporary file must be before it is collected: protects what is
         * being written right now and not pinned yet.
         */
        @WithDefault("1h")
        Duration gcGrace();
    }

    interface Outputs {
        /** How often the items and logs of deleted CrawlJobs are collected (also the delay after start). */
        @WithDefault("10m")
        Duration gcInterval();

        /**
         * How long after its last write a deleted CrawlJob's items and logs are kept: a job created a moment ago may
         * not be listed yet, and a deleted job's last workers may still report.
         */
        @WithDefault("1h")
        Duration gcGrace();
    }

    interface Upload {
        /** Largest spider archive accepted by the upload API, in bytes. */
        long maxBytes();

        /**
         * Most entries (files, directories, anything) an uploaded archive may hold: bounds the memory an upload's
         * manifest takes and the files it writes.
         */
        @WithDefault("100000")
        int maxEntries();

        /**
         * Most bytes the files of an uploaded archive may add up to once unpacked: a small archive of zeros unpacks
         * to terabytes.
         */
        @WithDefault("4294967296")
        long maxUnpackedBytes();

        /**
         * Most bytes the content of an uploaded archive may unpack to per compressed byte: for each zip entry against
         * its compressed bytes, and for the whole archive against the bytes received. Zeros deflate a thousandfold, so
         * below the unpacked limit a 2 MiB zip still unpacks to 2 GiB; source code compresses less than tenfold.
         */
        @WithDefault("200")
        int maxCompressionRatio();
    }
}
