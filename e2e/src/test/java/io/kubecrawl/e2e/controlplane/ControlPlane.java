package io.kubecrawl.e2e.controlplane;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.NamedClusterBuilder;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver and kube-controller-manager, built from
 * source by {@code e2e/control-plane/build.sh}, each a child process with its own identity. The API server
 * authenticates by static tokens and authorises with the Node authorizer and RBAC, signs ServiceAccount tokens, runs
 * its default admission plugins and serves the aggregated discovery that kubectl and Helm use; the controller manager
 * runs every default controller (Job, Deployment, ReplicaSet, garbage collector, PV binder, ...) under the
 * ServiceAccounts the bootstrap policy gives them. There is no kubelet and no scheduler: {@code TestNode} plays both.
 *
 * <p>Ports are chosen once and kept, and etcd's data stays in the directory, so that each component can be killed
 * and started again as the same member of the same cluster, as an upgrade or a crash would do.
 */
public final class ControlPlane implements AutoCloseable {
    /** The address every client, pod and component dials: the machine has no other network. */
    public static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final Path dir;
    private final Path binaries;
    private final int etcdClientPort = freePort();
    private final int etcdPeerPort = freePort();
    private final int apiServerPort = freePort();
    private final Identity admin = Identity.admin();
    private final Identity controllerManagerIdentity = Identity.controllerManager();
    private final List<Identity> identities = new ArrayList<>();
    private ComponentProcess etcd;
    private ComponentProcess apiServer;
    private ComponentProcess controllerManager;

    /**
     * @param dir where etcd's data, the certificates, the keys and the components' logs go
     * @param identities the other users the API server must know (a node, the scheduler, ...)
     */
    public ControlPlane(Path dir, Path binaries, List<Identity> identities) {
        this.dir = dir;
        this.binaries = binaries;
        this.identities.add(admin);
        this.identities.add(controllerManagerIdentity);
        this.identities.addAll(identities);
    }

    public void start() {
        try {
            Files.createDirectories(dir.resolve("logs"));
            writeCredentials();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        etcd = component("etcd", List.of(
                "--name", "e2e",
                "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", etcdUrl(etcdClientPort),
                "--advertise-client-urls", etcdUrl(etcdClientPort),
                "--listen-peer-urls", etcdUrl(etcdPeerPort),
                "--initial-advertise-peer-urls", etcdUrl(etcdPeerPort),
                "--initial-cluster", "e2e=" + etcdUrl(etcdPeerPort),
                // A killed etcd process keeps what the kernel holds; only a lost machine would need the fsyncs.
                "--unsafe-no-fsync"));
        apiServer = component("kube-apiserver", List.of(
                "--etcd-servers", etcdUrl(etcdClientPort),
                "--bind-address", HOST,
                "--advertise-address", HOST,
                "--secure-port", String.valueOf(apiServerPort),
                // No certificate given: the server makes a CA and a serving certificate for 127.0.0.1 there once,
                // and keeps them across restarts.
                "--cert-dir", dir.resolve("apiserver-certificates").toString(),
                "--token-auth-file", dir.resolve("tokens.csv").toString(),
                "--authorization-mode", "Node,RBAC",
                "--enable-admission-plugins", "NodeRestriction",
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", serviceAccountKey().toString(),
                "--service-account-signing-key-file", serviceAccountKey().toString(),
                "--service-cluster-ip-range", "10.96.0.0/24",
                // The endpoints of the "kubernetes" Service would be 127.0.0.1, which validation refuses.
                "--endpoint-reconciler-type", "none",
                "--allow-privileged"));
        controllerManager = component("kube-controller-manager", List.of(
                "--kubeconfig", writeKubeConfig("controller-manager", controllerManagerIdentity).toString(),
                "--use-service-account-credentials",
                "--service-account-private-key-file", serviceAccountKey().toString(),
                "--root-ca-file", certificateAuthority().toString(),
                "--leader-elect=false",
                "--secure-port", "0",
                "--controllers", "*"));
        etcd.start();
        startApiServer();
        controllerManager.start();
    }

    private void startApiServer() {
        apiServer.start();
        await("kube-apiserver's certificate in " + certificateAuthority().getParent() + " (log: " + apiServer.log()
                + ")").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(certificateAuthority()) || !apiServer.isAlive());
        try (KubernetesClient client = client(admin)) {
            await("kube-apiserver ready on port " + apiServerPort + " (log: " + apiServer.log() + ")")
                    .atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> apiServer.isAlive() && "ok".equals(client.raw("/readyz")));
        }
    }

    /** Stops the API server as a crash would and starts it again on the same port and the same etcd. */
    public void restartApiServer() {
        apiServer.kill();
        startApiServer();
    }

    /** Stops etcd as a crash would and starts it again on its data directory; the API server reconnects. */
    public void restartEtcd() {
        etcd.kill();
        etcd.start();
        try (KubernetesClient client = client(admin)) {
            await("kube-apiserver ready again after etcd restarted").atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> "ok".equals(client.raw("/readyz")));
        }
    }

    public Identity admin() {
        return admin;
    }

    /** The API server's address, as a pod's {@code KUBERNETES_SERVICE_HOST} and {@code _PORT} would give it. */
    public int apiServerPort() {
        return apiServerPort;
    }

    public String apiServerUrl() {
        return "https://" + HOST + ":" + apiServerPort;
    }

    /** The CA bundle that verifies the API server's certificate: what a pod finds in its {@code ca.crt}. */
    public Path certificateAuthority() {
        return dir.resolve("apiserver-certificates/apiserver.crt");
    }

    public Config config(Identity identity) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(apiServerUrl())
                .withCaCertFile(certificateAuthority().toString())
                .withOauthToken(identity.token())
                // A restarted API server is back within seconds: clients retry rather than fail the suite.
                .withRequestRetryBackoffLimit(10)
                .build();
    }

    public KubernetesClient client(Identity identity) {
        return new KubernetesClientBuilder().withConfig(config(identity)).build();
    }

    /** A kubeconfig file for kubectl and Helm, acting as {@code identity}. */
    public Path writeKubeConfig(String name, Identity identity) {
        Path file = dir.resolve(name + ".kubeconfig");
        io.fabric8.kubernetes.api.model.Config kubeConfig = new io.fabric8.kubernetes.api.model.ConfigBuilder()
                .withApiVersion("v1").withKind("Config")
                .withClusters(new NamedClusterBuilder().withName("e2e").withNewCluster()
                        .withServer(apiServerUrl())
                        .withCertificateAuthority(certificateAuthority().toString()).endCluster().build())
                .withUsers(new NamedAuthInfoBuilder().withName(name).withNewUser().withToken(identity.token())
                        .endUser().build())
                .withContexts(new NamedContextBuilder().withName(name).withNewContext().withCluster("e2e")
                        .withUser(name).endContext().build())
                .withCurrentContext(name)
                .build();
        try {
            Files.writeString(file, Serialization.asYaml(kubeConfig));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The last lines each component wrote, for a failed test's report. */
    public String logTails(int lines) {
        // etcd is heard of only when it warns: its info lines are a raft diary.
        return Stream.of(apiServer, controllerManager)
                .filter(component -> component != null)
                .map(component -> "--- last " + lines + " lines of " + component.name() + "\n"
                        + tail(component.log(), lines))
                .collect(Collectors.joining("\n"));
    }

    public Path logOf(String component) {
        return dir.resolve("logs").resolve(component + ".log");
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private ComponentProcess component(String name, List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve(name).toString());
        command.addAll(flags);
        return new ComponentProcess(name, command, logOf(name));
    }

    private void writeCredentials() throws IOException {
        Files.write(dir.resolve("tokens.csv"), identities.stream().map(Identity::tokenFileLine).toList());
        if (!Files.exists(serviceAccountKey())) {
            Files.writeString(serviceAccountKey(), pemPrivateKey());
        }
    }

    private Path serviceAccountKey() {
        return dir.resolve("service-account.key");
    }

    private static String pemPrivateKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String etcdUrl(int port) {
        return "http://" + HOST + ":" + port;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // The reverse of the start: controllers first, so that none acts on a half-stopped cluster.
        for (ComponentProcess component : new ComponentProcess[] {controllerManager, apiServer, etcd}) {
            if (component != null) {
                component.stop();
            }
        }
    }
}
