package io.kubecrawl.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.kubecrawl.e2e.Checkout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The operator and worker images built from this checkout's Dockerfiles by the local Docker engine, and copied into
 * a k3s container's containerd, which cannot see the engine's images: nothing is pushed to any registry.
 *
 * <p>Each build returns the image's name once the engine has built and tagged it. The images are made of what Maven
 * packaged, so the operator and worker-image modules must have run {@code package} first: in the reactor e2e comes
 * after both, and {@code ./mvnw -B verify} from the root does it all.
 */
public final class LocalImages {
    // Tagged, never "latest": with any other tag the kubelet runs an image containerd already holds.
    public static final String OPERATOR = "kubecrawl/kubecrawl-operator:e2e";
    public static final String WORKER = "kubecrawl/kubecrawl-worker:e2e";

    private LocalImages() {
    }

    /** Builds {@code operator/src/main/docker/Dockerfile.jvm} over {@code operator/target/quarkus-app}. */
    static String buildOperator() {
        Path module = Checkout.ROOT.resolve("operator");
        Path application = module.resolve("target/quarkus-app");
        assertThat(application.resolve("quarkus-run.jar"))
                .as("the packaged operator; run ./mvnw -B package from the repository root first").isRegularFile();
        // The build context holds only what the Dockerfile copies, laid out as in the module, and the Dockerfile
        // under the default name at its root: the module's sources and other build output stay out.
        return new ImageFromDockerfile(OPERATOR, true)
                .withFileFromPath("target/quarkus-app", application)
                .withFileFromPath("src/main/sh", module.resolve("src/main/sh"))
                .withFileFromPath("Dockerfile", module.resolve("src/main/docker/Dockerfile.jvm"))
                .get();
    }

    /** Builds {@code worker-image/Dockerfile} with the shaded agent jar, its scripts and the Scrapy helper. */
    static String buildWorker() {
        Path module = Checkout.ROOT.resolve("worker-image");
        Path agentJar = module.resolve("target/kubecrawl-worker.jar");
        assertThat(agentJar).as("the packaged worker agent; run ./mvnw -B package from the repository root first")
                .isRegularFile();
        return new ImageFromDockerfile(WORKER, true)
                .withFileFromPath("target/kubecrawl-worker.jar", agentJar)
                // The launcher, the class-archive script and the Scrapy helper, which the Dockerfile copies too.
                .withFileFromPath("src/main/sh", module.resolve("src/main/sh"))
                .withFileFromPath("src/main/python", module.resolve("src/main/python"))
                .withFileFromPath("Dockerfile", module.resolve("Dockerfile"))
                .get();
    }

    /**
     * Saves the image from the Docker engine to a tar file, copies it into the k3s container and imports it into
     * the containerd namespace the kubelet uses ({@code k8s.io}).
     */
    static void importInto(K3sContainer k3s, String imageName) throws IOException, InterruptedException {
        DockerImageName image = DockerImageName.parse(imageName);
        Path archive = Files.createTempFile("kubecrawl-image-", ".tar");
        try {
            try (InputStream saved = DockerClientFactory.instance().client()
                    .saveImageCmd(image.getRepository()).withTag(image.getVersionPart()).exec()) {
                Files.copy(saved, archive, StandardCopyOption.REPLACE_EXISTING);
            }
            String inContainer = "/tmp/" + archive.getFileName();
            k3s.copyFileToContainer(MountableFile.forHostPath(archive), inContainer);
            ExecResult imported = k3s.execInContainer("k3s", "ctr", "--namespace", "k8s.io", "images", "import",
                    inContainer);
            assertThat(imported.getExitCode()).as("k3s ctr images import %s: %s", imageName, imported.getStderr())
                    .isZero();
            k3s.execInContainer("rm", "-f", inContainer);
        } finally {
            Files.deleteIfExists(archive);
        }
    }
}
