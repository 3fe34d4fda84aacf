package io.kubecrawl.operator.spider;

/**
 * Why a Spider's source cannot give a bundle: a CamelCase reason for machines and a message that tells the user
 * what to fix.
 */
public record SourceProblem(String reason, String message) {

    public static final String SOURCE_NOT_FOUND = "SourceNotFound";
    public static final String KEY_NOT_FOUND = "KeyNotFound";
    public static final String INVALID_PATH = "InvalidPath";
    public static final String AWAITING_UPLOAD = "AwaitingUpload";
    public static final String INVALID_SPEC = "InvalidSpec";
    /** The operator could not write the bundle to its data directory (full, read-only): an operator problem. */
    public static final String STORE_FAILED = "BundleStoreFailed";
    /** The manifest names a file whose content neither the source nor the bundle store holds. */
    public static final String BUNDLE_INCOMPLETE = "BundleIncomplete";
}
