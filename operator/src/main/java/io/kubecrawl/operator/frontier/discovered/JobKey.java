package io.kubecrawl.operator.frontier.discovered;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.kubecrawl.protocol.CrawlJobName;

/**
 * The job a stored request belongs to. The uid is part of it because a CrawlJob deleted and created again under the
 * same name is another job: it must not inherit the first one's deduplication set or queues.
 *
 * @param name the CrawlJob's namespace and name
 * @param uid the CrawlJob's {@code metadata.uid}
 */
public record JobKey(CrawlJobName name, String uid) {

    public JobKey {
        Objects.requireNonNull(name, "name");
        if (uid == null || uid.isEmpty() || uid.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a uid: " + uid);
        }
    }

    public static JobKey of(String namespace, String name, String uid) {
        return new JobKey(new CrawlJobName(namespace, name), uid);
    }

    /** {@code namespace NUL name NUL uid}: none of the three can hold a NUL, so the encoding is unambiguous. */
    byte[] encode() {
        return (name.namespace() + '\0' + name.name() + '\0' + uid).getBytes(StandardCharsets.UTF_8);
    }

    static JobKey decode(byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\0", -1);
        if (parts.length != 3) {
            throw new IllegalStateException("not a stored job key: " + new String(bytes, StandardCharsets.UTF_8));
        }
        return of(parts[0], parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return name + " (uid " + uid + ")";
    }
}
