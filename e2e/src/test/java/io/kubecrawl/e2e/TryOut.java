package io.kubecrawl.e2e;

import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.e2e.cluster.KubecrawlCluster;
import io.kubecrawl.operator.testing.LoopbackQuotesSite;

/**
 * The local try-out of the README, one command: a cluster on this machine (k3s where Docker runs, the source-built
 * control plane otherwise), the chart installed, the quotes example crawling a loopback copy of its site, then the
 * CrawlJob's status and its first items printed. Everything is stopped at the end, unless
 * {@code -Dkubecrawl.try-out.keep=true} keeps the cluster until the process is interrupted.
 */
public final class TryOut {
    private static final String NAMESPACE = "quotes";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private TryOut() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("kubecrawl-try-out-");
        say("starting a cluster in " + work);
        try (KubecrawlCluster cluster = KubecrawlCluster.start(work);
                LoopbackQuotesSite site = new LoopbackQuotesSite(cluster.siteHosts(), 10, 10)) {
            Kubectl kubectl = new Kubectl(cluster.kubectl(), cluster.kubeConfig());
            say("cluster ready: " + cluster.kubectl() + " --kubeconfig " + cluster.kubeConfig() + " get nodes");
            KubecrawlChart.install(cluster.kubeConfig(), cluster.operatorImage(), cluster.workerImage(), TIMEOUT);
            say("chart installed: " + kubectl.run("get", "deployments,pods", "-n", KubecrawlChart.NAMESPACE)
                    .output());
            new QuotesExample(cluster, site).apply(NAMESPACE, 2, 10);
            say("examples/quotes applied in namespace " + NAMESPACE + ", crawling " + site.pageUrls().size()
                    + " pages served on loopback");
            CrawlJob done = await("CrawlJob quotes finished").atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cluster.admin().resources(CrawlJob.class).inNamespace(NAMESPACE)
                            .withName(QuotesExample.NAME).get(), job -> job != null && job.getStatus() != null
                                    && job.getStatus().getPhase() != null && job.getStatus().getPhase().isFinished());
            say(kubectl.run("get", "crawljob", QuotesExample.NAME, "-n", NAMESPACE).output());
            say("status:\n" + cluster.admin().getKubernetesSerialization().asYaml(done.getStatus()));
            HttpResponse<String> items = new OperatorApi(cluster.operatorHttp(KubecrawlChart.NAMESPACE,
                    KubecrawlChart.RELEASE)).items(NAMESPACE, QuotesExample.NAME,
                            cluster.admin().getConfiguration().getOauthToken());
            say("first items of " + items.body().lines().count() + ":");
            items.body().lines().limit(5).forEach(System.out::println);
            if (Boolean.getBoolean("kubecrawl.try-out.keep")) {
                say("keeping the cluster; interrupt (Ctrl-C) to stop it");
                Thread.currentThread().join();
            }
        }
    }

    private static void say(String text) {
        System.out.println("try-out: " + text);
    }
}
