package io.kubecrawl.worker.sync;

import java.security.MessageDigest;

/** Feeding bytes to a SHA-256 digest at full speed. */
final class Hashing {
    /**
     * Slices fed to {@link MessageDigest#update}: small enough that HotSpot soon compiles the digest's update path,
     * where its SHA-256 intrinsic for many blocks at once applies, yet large enough that calls cost nothing. One call
     * per 1 MiB chunk would leave the hashing in slower code for most of a file.
     */
    static final int SLICE = 64 << 10;

    private Hashing() {
    }

    static void update(MessageDigest digest, byte[] bytes, int offset, int length) {
        for (int done = 0; done < length; done += SLICE) {
            digest.update(bytes, offset + done, Math.min(SLICE, length - done));
        }
    }
}
