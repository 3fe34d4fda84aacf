package io.kubecrawl.operator.crawljob;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.kubecrawl.crd.v1alpha1.Condition;
import io.kubecrawl.crd.v1alpha1.CrawlJob;
import io.kubecrawl.crd.v1alpha1.CrawlJobPhase;
import io.kubecrawl.crd.v1alpha1.CrawlJobSpec;
import io.kubecrawl.crd.v1alpha1.CrawlJobStatus;
import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.WorkersStatus;
import io.kubecrawl.crd.v1alpha1.SpiderReference;
import io.kubecrawl.operator.crawljob.CrawlJobStep.CreateWorkerJob;
import io.kubecrawl.operator.crawljob.CrawlJobStep.CreateWorkerToken;
import io.kubecrawl.operator.crawljob.CrawlJobStep.PatchWorkerJob;
import io.kubecrawl.operator.events.ClusterEvent;
import org.junit.jupiter.api.Test;

/** The decide step alone: from a CrawlJob and what the cluster holds to children and status. */
class CrawlJobDeciderTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private final CrawlJobDecider decider = new CrawlJobDecider(
            new WorkerJobFactory("worker:1", "operator.test:9090", 10, WorkerTransport.TLS), RETRY_AFTER);

    @Test
    void missingSpiderKeepsTheJobPendingAndWarns() {
        CrawlJobPlan plan = decider.decide(crawlJob(2, false, null), observed(null, null, false), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Pending);
        assertThat(condition(plan, "Ready")).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "SpiderNotFound");
        assertThat(plan.steps(CreateWorkerJob.class)).isEmpty();
        assertThat(plan.has(CreateWorkerToken.class)).isFalse();
        assertThat(plan.events()).extracting(ClusterEvent::type, ClusterEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ClusterEvent.Type.Warning, "SpiderNotFound"));
    }

    @Test
    void spiderThatIsNotReadyKeepsTheJobPending() {
        Spider spider = spider(false);

        CrawlJobPlan plan = decider.decide(crawlJob(2, false, null), observed(spider, null, false), NOW);

        assertThat(condition(plan, "Ready").getReason()).isEqualTo("SpiderNotReady");
        assertThat(condition(plan, "Ready").getMessage()).contains("SourceNotFound");
        assertThat(plan.steps(CreateWorkerJob.class)).isEmpty();
    }

    /**
     * Seen on a real cluster: kubectl apply of examples/quotes/ (a Spider and its CrawlJob at once) made a Warning
     * Event, SpiderNotReady, whenever the CrawlJob was reconciled before the Spider.
     */
    @Test
    void aSpiderNotResolvedYetKeepsTheJobPendingWithoutAWarning() {
        Spider fresh = spider(false);
        fresh.setStatus(null);
        Spider edited = spider(true);
        edited.getMetadata().setGeneration(2L);

        for (Spider spider : List.of(fresh, edited)) {
            CrawlJobPlan plan = decider.decide(crawlJob(2, false, null), observed(spider, null, false), NOW);

            assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Pending);
            assertThat(condition(plan, "Progressing").getReason()).isEqualTo("SpiderNotReconciled");
            assertThat(plan.events()).extracting(ClusterEvent::type, ClusterEvent::reason).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(ClusterEvent.Type.Normal, "SpiderNotReconciled"));
            assertThat(plan.steps(CreateWorkerJob.class)).isEmpty();
        }
    }

    @Test
    void readySpiderPinsTheDigestAndCreatesTokenAndJob() {
        CrawlJobPlan plan = decider.decide(crawlJob(3, false, null), observed(spider(true), null, false), NOW);

        assertThat(plan.status().getBundleDigest()).isEqualTo(DIGEST);
        assertThat(plan.status().getStartTime()).isEqualTo("2026-11-22T12:00:00Z");
        assertThat(plan.has(CreateWorkerToken.class)).isTrue();
        assertThat(plan.steps(CreateWorkerJob.class)).singleElement().extracting(CreateWorkerJob::job).satisfies(job -> {
            assertThat(job.getSpec().getParallelism()).isEqualTo(3);
            assertThat(job.getMetadata().getAnnotations()).containsEntry("kubecrawl.io/bundle-digest", DIGEST);
        });
        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Pending);
        assertThat(condition(plan, "Progressing")).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("True", "WorkersStarting");
    }

    @Test
    void pinnedDigestSurvivesAChangedSpider() {
        CrawlJob crawlJob = crawlJob(1, false, CrawlJobPhase.Pending);
        crawlJob.getStatus().setBundleDigest("sha256:" + "b".repeat(64));

        CrawlJobPlan plan = decider.decide(crawlJob, observed(spider(true), null, true), NOW);

        assertThat(plan.steps(CreateWorkerJob.class)).singleElement().extracting(CreateWorkerJob::job)
                .satisfies(job -> assertThat(job.getMetadata().getAnnotations())
                .containsEntry("kubecrawl.io/bundle-digest", "sha256:" + "b".repeat(64)));
        assertThat(plan.has(CreateWorkerToken.class)).isFalse();
    }

    @Test
    void differentWorkerCountOrSuspendChangesTheJob() {
        Job job = job(2, Map.of("active", 2, "ready", 2));

        CrawlJobPlan scaled = decider.decide(crawlJob(5, false, CrawlJobPhase.Running), observed(spider(true), job,
                true), NOW);
        CrawlJobPlan suspended = decider.decide(crawlJob(2, true, CrawlJobPhase.Running), observed(spider(true), job,
                true), NOW);
        CrawlJobPlan same = decider.decide(crawlJob(2, false, CrawlJobPhase.Running), observed(spider(true), job,
                true), NOW);

        assertThat(scaled.steps(PatchWorkerJob.class)).containsExactly(new PatchWorkerJob("crawl-workers", 5, false, 1L));
        assertThat(scaled.status().getWorkers().getDesired()).isEqualTo(5);
        assertThat(suspended.steps(PatchWorkerJob.class)).containsExactly(new PatchWorkerJob("crawl-workers", 2, true, 1L));
        assertThat(suspended.status().getPhase()).isEqualTo(CrawlJobPhase.Suspended);
        assertThat(suspended.status().getWorkers().getDesired()).isZero();
        assertThat(same.steps(PatchWorkerJob.class)).isEmpty();
        assertThat(same.status().getPhase()).isEqualTo(CrawlJobPhase.Running);
    }

    @Test
    void suspendedBeforeStartCreatesNothing() {
        CrawlJobPlan plan = decider.decide(crawlJob(2, true, null), observed(spider(true), null, false), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Suspended);
        assertThat(plan.steps(CreateWorkerJob.class)).isEmpty();
        assertThat(condition(plan, "Suspended").getStatus()).isEqualTo("True");
    }

    @Test
    void jobDeadlineBecomesDeadlineExceeded() {
        Job job = job(2, Map.of());
        job.getStatus().setConditions(List.of(new JobConditionBuilder().withType("Failed").withStatus("True")
                .withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline").build()));

        CrawlJobPlan plan = decider.decide(crawlJob(2, false, CrawlJobPhase.Running), observed(spider(true), job,
                true), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Failed);
        assertThat(condition(plan, "Failed").getReason()).isEqualTo("DeadlineExceeded");
        assertThat(plan.events()).extracting(ClusterEvent::type).containsExactly(ClusterEvent.Type.Warning);
    }

    @Test
    void finishedJobIsLeftAloneEvenWithoutItsChildren() {
        CrawlJob crawlJob = crawlJob(4, false, CrawlJobPhase.Succeeded);
        crawlJob.getStatus().setConditions(List.of(new Condition("Complete", "True", "CrawlCompleted", "done")));

        CrawlJobPlan plan = decider.decide(crawlJob, observed(spider(true), null, false), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
        assertThat(condition(plan, "Complete").getReason()).isEqualTo("CrawlCompleted");
        assertThat(plan.steps(CreateWorkerJob.class)).isEmpty();
        assertThat(plan.has(CreateWorkerToken.class)).isFalse();
        assertThat(plan.steps(PatchWorkerJob.class)).isEmpty();
        assertThat(plan.events()).isEmpty();
    }

    /** Seen on a real cluster: a finished job kept workers.active 2, the count of its last checkpoint. */
    @Test
    void aFinishedJobsWorkerCountsFollowItsJobAsTheLastWorkersExit() {
        CrawlJob crawlJob = crawlJob(2, false, CrawlJobPhase.Succeeded);
        crawlJob.getStatus().setWorkers(new WorkersStatus(2, 2, 2, 0, 0));
        Job job = job(2, Map.of("active", 0, "ready", 0));
        job.getStatus().setSucceeded(2);

        CrawlJobPlan plan = decider.decide(crawlJob, observed(spider(true), job, true), NOW);

        assertThat(plan.status().getPhase()).isEqualTo(CrawlJobPhase.Succeeded);
        assertThat(plan.status().getWorkers()).extracting(WorkersStatus::getDesired, WorkersStatus::getReady,
                WorkersStatus::getActive, WorkersStatus::getSucceeded).containsExactly(0, 0, 0, 2);
        assertThat(plan.steps(PatchWorkerJob.class)).isEmpty();
        assertThat(plan.events()).isEmpty();
    }

    @Test
    void missingJobOfARunningCrawlIsRecreated() {
        CrawlJob crawlJob = crawlJob(2, false, CrawlJobPhase.Running);
        crawlJob.getStatus().setBundleDigest(DIGEST);

        CrawlJobPlan plan = decider.decide(crawlJob, observed(spider(true), null, true), NOW);

        assertThat(plan.steps(CreateWorkerJob.class)).hasSize(1);
    }

    @Test
    void unchangedInputsGiveNoEvents() {
        Job job = job(2, Map.of("active", 2, "ready", 2));
        CrawlJobPlan first = decider.decide(crawlJob(2, false, null), observed(spider(true), job, true), NOW);
        CrawlJob again = crawlJob(2, false, null);
        again.setStatus(first.status());

        CrawlJobPlan second = decider.decide(again, observed(spider(true), job, true), NOW.plusSeconds(60));

        assertThat(first.events()).isNotEmpty();
        assertThat(second.events()).isEmpty();
        assertThat(second.status().getConditions()).usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(first.status().getConditions());
    }

    private static Condition condition(CrawlJobPlan plan, String type) {
        return plan.status().condition(type).orElseThrow();
    }

    private static CrawlJobObservation observed(Spider spider, Job job, boolean tokenExists) {
        Secret secret = tokenExists ? new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("crawl-worker-token").endMetadata().build() : null;
        return new CrawlJobObservation(Optional.ofNullable(spider), Optional.ofNullable(job),
                Optional.ofNullable(secret));
    }

    private static CrawlJob crawlJob(int workers, boolean suspend, CrawlJobPhase phase) {
        CrawlJob crawlJob = new CrawlJob();
        crawlJob.setMetadata(new ObjectMetaBuilder().withName("crawl").withNamespace("ns").withUid("uid-1")
                .withGeneration(1L).build());
        CrawlJobSpec spec = new CrawlJobSpec();
        spec.setSpiderRef(new SpiderReference("quotes"));
        spec.setWorkers(workers);
        spec.setSuspend(suspend);
        spec.setSeeds(List.of("http://a.test/"));
        crawlJob.setSpec(spec);
        if (phase != null) {
            CrawlJobStatus status = new CrawlJobStatus();
            status.setPhase(phase);
            crawlJob.setStatus(status);
        }
        return crawlJob;
    }

    private static Spider spider(boolean ready) {
        return RecoveryExamples.spider(ready ? DIGEST : null);
    }

    private static Job job(int parallelism, Map<String, Integer> counts) {
        return new JobBuilder()
                .withNewMetadata().withName("crawl-workers").withNamespace("ns")
                .withCreationTimestamp("2026-11-22T11:00:00Z").endMetadata()
                .withNewSpec().withParallelism(parallelism).withSuspend(false).endSpec()
                .withNewStatus().withActive(counts.get("active")).withReady(counts.get("ready")).endStatus()
                .build();
    }
}
