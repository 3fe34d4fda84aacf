package io.kubecrawl.protocol;

import java.util.regex.Pattern;

/**
 * What may name a worker: a pod name. Workers name themselves in requests, and the operator files their logs under
 * that name, so the name must be safe as a file name too (no '/', no leading '.').
 */
public final class WorkerName {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9._]{0,252}");

    private WorkerName() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
