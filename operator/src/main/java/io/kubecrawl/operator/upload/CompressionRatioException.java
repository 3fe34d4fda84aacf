package io.kubecrawl.operator.upload;

/** Content unpacks to more than {@link ArchiveLimits#maxCompressionRatio()} times the bytes it comes from. */
final class CompressionRatioException extends UnpackingLimitException {

    private final String reason;

    CompressionRatioException(String reason) {
        super(reason);
        this.reason = reason;
    }

    @Override
    String reason() {
        return reason;
    }
}
