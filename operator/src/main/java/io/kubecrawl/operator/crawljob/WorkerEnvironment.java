package io.kubecrawl.operator.crawljob;

/**
 * Environment variables the operator gives worker pods; the kubecrawl-worker agent reads them as the defaults of
 * its flags. Names starting with {@value #PREFIX} are reserved for the agent.
 */
public final class WorkerEnvironment {

    public static final String PREFIX = "KUBECRAWL_";
    public static final String OPERATOR_ADDRESS = "KUBECRAWL_OPERATOR_ADDRESS";
    public static final String NAMESPACE = "KUBECRAWL_NAMESPACE";
    public static final String JOB = "KUBECRAWL_JOB";
    public static final String WORKER = "KUBECRAWL_WORKER";
    public static final String TOKEN = "KUBECRAWL_TOKEN";
    public static final String BUNDLE_DIGEST = "KUBECRAWL_BUNDLE_DIGEST";
    public static final String WORKSPACE = "KUBECRAWL_WORKSPACE";

    /** Key of the worker token in the job's Secret. */
    public static final String TOKEN_KEY = "token";

    private WorkerEnvironment() {
    }
}
