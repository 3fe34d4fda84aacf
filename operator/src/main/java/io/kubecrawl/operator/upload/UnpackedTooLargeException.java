package io.kubecrawl.operator.upload;

/** The files of an archive add up to more than {@link ArchiveLimits#maxUnpackedBytes()}. */
final class UnpackedTooLargeException extends UnpackingLimitException {

    private final long limit;

    UnpackedTooLargeException(long limit) {
        super("the archive's files add up to more than " + limit + " bytes");
        this.limit = limit;
    }

    @Override
    String reason() {
        return "the archive's files add up to more than " + limit + " bytes when unpacked, the most an upload may "
                + "hold (kubecrawl.upload.max-unpacked-bytes)";
    }
}
