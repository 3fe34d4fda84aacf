package io.kubecrawl.operator.upload;

/** The file type bits of a Unix mode ({@code st_mode & S_IFMT}), as zip archives from Unix systems record them. */
final class UnixFileType {

    static final int MASK = 0170000;
    static final int FIFO = 0010000;
    static final int CHARACTER_DEVICE = 0020000;
    static final int DIRECTORY = 0040000;
    static final int BLOCK_DEVICE = 0060000;
    static final int REGULAR = 0100000;
    static final int SYMBOLIC_LINK = 0120000;
    static final int SOCKET = 0140000;

    private UnixFileType() {
    }

    static String describe(int type) {
        return switch (type) {
            case FIFO -> "a FIFO";
            case CHARACTER_DEVICE -> "a character device";
            case BLOCK_DEVICE -> "a block device";
            case SYMBOLIC_LINK -> "a symbolic link";
            case SOCKET -> "a socket";
            default -> "a special file (type " + Integer.toOctalString(type) + ")";
        };
    }
}
