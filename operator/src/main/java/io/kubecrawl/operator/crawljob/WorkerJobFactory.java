package io.kubecrawl.operator.crawljob;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.FrontierSpec;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderRuntime;
import io.kubecrawl.protocol.DiscoveryMode;
import io.kubecrawl.protocol.WorkerEnvironment;

/**
 * The desired worker Job of a CrawlJob, built from scratch: an init container that syncs the spider's bundle into
 * {@code /workspace} and a main container that runs batches from the frontier, both as a restricted non-root pod.
 * Workers exit 0 once the frontier is drained, so the Job has no completion count: it is complete when its workers
 * have all finished and one succeeded.
 */
public class WorkerJobFactory {

    public static final String WORKSPACE = "/workspace";
    static final String WORKSPACE_VOLUME = "workspace";
    static final String TMP_VOLUME = "tmp";
    static final String SYNC_CONTAINER = "sync";
    static final String RUN_CONTAINER = "run";
    static final String AGENT = "kubecrawl-worker";
    static final long WORKER_UID = 1000L;
    static final int USAGE_ERROR_EXIT_CODE = 2;
    /** The agent's last line says why it stopped; this makes it the pod's termination message. */
    static final String TERMINATION_MESSAGE_POLICY = "FallbackToLogsOnError";

    private final String workerImage;
    private final String operatorAddress;
    private final int backoffLimit;
    private final WorkerTransport transport;

    public WorkerJobFactory(String workerImage, String operatorAddress, int backoffLimit, WorkerTransport transport) {
        this.workerImage = workerImage;
        this.operatorAddress = operatorAddress;
        this.backoffLimit = backoffLimit;
        this.transport = transport;
    }

    public Job build(CrawlJob crawlJob, Spider spider, String bundleDigest) {
        String name = crawlJob.getMetadata().getName();
        Map<String, String> labels = WorkerLabels.of(crawlJob, "worker");
        Map<String, String> annotations = Map.of(
                WorkerLabels.GENERATION_ANNOTATION, String.valueOf(crawlJob.getMetadata().getGeneration()),
                WorkerLabels.BUNDLE_ANNOTATION, bundleDigest);
        SpiderRuntime runtime = spider.getSpec().getRuntime();
        List<EnvVar> agentEnv = agentEnvironment(crawlJob, bundleDigest);
        Long deadline = crawlJob.getSpec().getLimits() == null ? null
                : crawlJob.getSpec().getLimits().getActiveDeadlineSeconds();

        return new JobBuilder()
                .withNewMetadata()
                .withName(ChildNames.workerJob(name))
                .withNamespace(crawlJob.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .withOwnerReferences(CrawlJobOwner.reference(crawlJob))
                .endMetadata()
                .withNewSpec()
                .withParallelism(CrawlJobSpecs.workers(crawlJob))
                .withSuspend(CrawlJobSpecs.suspended(crawlJob))
                .withBackoffLimit(backoffLimit)
                .withNewPodFailurePolicy()
                // Exit code 2 is a usage error of the agent: retrying the same pod template cannot help.
                .addNewRule().withAction("FailJob").withNewOnExitCodes().withOperator("In")
                .withValues(USAGE_ERROR_EXIT_CODE).endOnExitCodes().endRule()
                .endPodFailurePolicy()
                .withActiveDeadlineSeconds(deadline)
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(podSecurity())
                .addNewVolume().withName(WORKSPACE_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
                .withInitContainers(syncContainer(agentEnv))
                .withContainers(runContainer(crawlJob, runtime, agentEnv))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private Container syncContainer(List<EnvVar> agentEnv) {
        return new ContainerBuilder()
                .withName(SYNC_CONTAINER)
                .withImage(workerImage)
                .withCommand(AGENT, "sync")
                .withArgs("--target", WORKSPACE)
                .withEnv(agentEnv)
                .withVolumeMounts(mounts())
                .withSecurityContext(containerSecurity())
                .withTerminationMessagePolicy(TERMINATION_MESSAGE_POLICY)
                .build();
    }

    private Container runContainer(CrawlJob crawlJob, SpiderRuntime runtime, List<EnvVar> agentEnv) {
        List<String> args = new ArrayList<>(List.of("--workdir", WORKSPACE, "--"));
        args.addAll(runtime.getCommand());
        if (runtime.getArgs() != null) {
            args.addAll(runtime.getArgs());
        }
        List<EnvVar> env = new ArrayList<>(agentEnv);
        FrontierSpec frontier = crawlJob.getSpec().getFrontier() == null ? new FrontierSpec()
                : crawlJob.getSpec().getFrontier();
        env.add(env(DiscoveryMode.ENV, frontier.effectiveDiscovered().name()));
        if (frontier.effectiveMinHostDelayMillis() > 0) {
            env.add(env(WorkerEnvironment.MIN_HOST_DELAY_MILLIS, String.valueOf(frontier.effectiveMinHostDelayMillis())));
        }
        if (runtime.getEnv() != null) {
            env.addAll(runtime.getEnv());
        }
        return new ContainerBuilder()
                .withName(RUN_CONTAINER)
                .withImage(runtime.getImage())
                .withCommand(AGENT, "run")
                .withArgs(args)
                .withWorkingDir(WORKSPACE)
                .withEnv(env)
                .withResources(runtime.getResources())
                .withVolumeMounts(mounts())
                .withSecurityContext(containerSecurity())
                .withTerminationMessagePolicy(TERMINATION_MESSAGE_POLICY)
                .build();
    }

    private List<EnvVar> agentEnvironment(CrawlJob crawlJob, String bundleDigest) {
        String tokenSecret = ChildNames.workerToken(crawlJob.getMetadata().getName());
        EnvVar trust = transport == WorkerTransport.PLAINTEXT ? env(WorkerEnvironment.OPERATOR_PLAINTEXT, "true")
                : new EnvVarBuilder().withName(WorkerEnvironment.OPERATOR_CA)
                        .withNewValueFrom().withNewSecretKeyRef()
                        .withName(tokenSecret)
                        .withKey(WorkerEnvironment.CA_KEY)
                        .endSecretKeyRef().endValueFrom().build();
        return List.of(
                env(WorkerEnvironment.OPERATOR_ADDRESS, operatorAddress),
                trust,
                env(WorkerEnvironment.NAMESPACE, crawlJob.getMetadata().getNamespace()),
                env(WorkerEnvironment.JOB, crawlJob.getMetadata().getName()),
                new EnvVarBuilder().withName(WorkerEnvironment.WORKER)
                        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
                        .endValueFrom().build(),
                new EnvVarBuilder().withName(WorkerEnvironment.TOKEN)
                        .withNewValueFrom().withNewSecretKeyRef()
                        .withName(tokenSecret)
                        .withKey(WorkerEnvironment.TOKEN_KEY)
                        .endSecretKeyRef().endValueFrom().build(),
                env(WorkerEnvironment.BUNDLE_DIGEST, bundleDigest),
                env(WorkerEnvironment.WORKSPACE, WORKSPACE));
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static List<VolumeMount> mounts() {
        return List.of(
                new VolumeMountBuilder().withName(WORKSPACE_VOLUME).withMountPath(WORKSPACE).build(),
                new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath("/tmp").build());
    }

    private static PodSecurityContext podSecurity() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(WORKER_UID)
                .withRunAsGroup(WORKER_UID)
                .withFsGroup(WORKER_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    private static SecurityContext containerSecurity() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withCapabilities(new Capabilities(null, List.of("ALL")))
                .build();
    }
}
