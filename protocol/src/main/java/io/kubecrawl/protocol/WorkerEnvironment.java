package io.kubecrawl.protocol;

/**
 * The environment variables through which the operator configures a worker pod, part of the worker contract: the
 * operator's worker Job sets them, and the kubecrawl-worker agent reads them as the defaults of its options. Defined
 * here once, so that the two sides cannot disagree. Names starting with {@value #PREFIX} are reserved for the agent.
 * ({@link DiscoveryMode#ENV} is one more, kept with the values it takes.)
 */
public final class WorkerEnvironment {

    public static final String PREFIX = "KUBECRAWL_";
    /** The operator's gRPC endpoint, host:port. */
    public static final String OPERATOR_ADDRESS = "KUBECRAWL_OPERATOR_ADDRESS";
    public static final String NAMESPACE = "KUBECRAWL_NAMESPACE";
    /** The CrawlJob's name. */
    public static final String JOB = "KUBECRAWL_JOB";
    /** The worker's name: its pod's name. */
    public static final String WORKER = "KUBECRAWL_WORKER";
    /** The job's worker token, from the job's Secret (key {@link #TOKEN_KEY}). */
    public static final String TOKEN = "KUBECRAWL_TOKEN";
    /** A file holding the token, read instead of {@link #TOKEN} when set. */
    public static final String TOKEN_FILE = "KUBECRAWL_TOKEN_FILE";
    /** The digest of the bundle the job pinned: the only one the worker syncs. */
    public static final String BUNDLE_DIGEST = "KUBECRAWL_BUNDLE_DIGEST";
    /** The directory the bundle is synced into, shared by the sync and run containers. */
    public static final String WORKSPACE = "KUBECRAWL_WORKSPACE";
    /**
     * The job's {@code spec.frontier.minHostDelayMillis}: the least time between the starts of two requests of the
     * worker to one host. The agent's {@code --min-host-delay-ms} defaults to it and passes it on to the spider; the
     * Scrapy helper floors every download slot's delay at it. Unset or 0: the spider's own setting.
     */
    public static final String MIN_HOST_DELAY_MILLIS = "KUBECRAWL_MIN_HOST_DELAY_MILLIS";

    /**
     * The certificate authority (PEM) the worker trusts for the operator's gRPC endpoint, from the job's Secret (key
     * {@link #CA_KEY}). The worker dials TLS and refuses a server whose certificate this CA did not sign or that does
     * not name the host of {@link #OPERATOR_ADDRESS}.
     */
    public static final String OPERATOR_CA = "KUBECRAWL_OPERATOR_CA";
    /** A file holding that CA (PEM), read instead of {@link #OPERATOR_CA} when set. */
    public static final String OPERATOR_CA_FILE = "KUBECRAWL_OPERATOR_CA_FILE";
    /**
     * {@code true}: dial the operator in plaintext. Set only when the chart asks for a plaintext gRPC endpoint
     * ({@code grpc.plaintext}); without it and without a CA the worker refuses to start.
     */
    public static final String OPERATOR_PLAINTEXT = "KUBECRAWL_OPERATOR_PLAINTEXT";

    /** Key of the worker token in the job's Secret. */
    public static final String TOKEN_KEY = "token";
    /** Key of the operator's CA (PEM) in the job's Secret, the key cert-manager and kubernetes.io/tls use too. */
    public static final String CA_KEY = "ca.crt";

    private WorkerEnvironment() {
    }
}
