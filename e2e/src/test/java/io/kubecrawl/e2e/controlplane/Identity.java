package io.kubecrawl.e2e.controlplane;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * A user the API server knows from its static token file: the token a client presents, and the user and groups the
 * server's authorizers (Node, then RBAC) see. Each component of the test cluster has its own, as in a real cluster,
 * so that RBAC and the Node authorizer judge every call as they would there.
 */
public record Identity(String user, List<String> groups, String token) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Cluster administrator: what the tests themselves act as. */
    public static Identity admin() {
        return create("kubecrawl-e2e-admin", "system:masters");
    }

    /** The user the bootstrap RBAC policy grants kube-controller-manager's rights to. */
    static Identity controllerManager() {
        return create("system:kube-controller-manager");
    }

    /** The user the bootstrap RBAC policy lets bind pods to nodes. */
    public static Identity scheduler() {
        return create("system:kube-scheduler");
    }

    /** A kubelet: the Node authorizer lets it read only what the pods bound to its node need. */
    public static Identity node(String nodeName) {
        return create("system:node:" + nodeName, "system:nodes");
    }

    private static Identity create(String user, String... groups) {
        byte[] token = new byte[24];
        RANDOM.nextBytes(token);
        return new Identity(user, List.of(groups), HexFormat.of().formatHex(token));
    }

    /** The line of kube-apiserver's {@code --token-auth-file}: token, user, uid, "group,group". */
    String tokenFileLine() {
        return token + "," + user + "," + user + ",\"" + String.join(",", groups) + "\"";
    }
}
