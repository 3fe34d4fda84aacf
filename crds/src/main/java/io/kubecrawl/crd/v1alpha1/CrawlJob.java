package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One run of a Spider over a list of seed URLs, by a number of worker pods. */
@Group(ApiGroup.NAME)
@Version(ApiGroup.VERSION)
// The plural fabric8 would derive, stated: it derives it with regular expressions in every instance's constructor,
// which runs for every object the informers and the API server's answers decode.
@Plural("crawljobs")
@ShortNames({"cjob", "crawl"})
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Workers", jsonPath = ".status.workers.ready", type = AdditionalPrinterColumn.Type.INTEGER,
        getDescription = "Worker pods that are ready.")
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress", type = AdditionalPrinterColumn.Type.STRING,
        getDescription = "Completed batches out of all batches.")
@AdditionalPrinterColumn(name = "Discovered", jsonPath = ".status.discovered.discovered",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Queued", jsonPath = ".status.discovered.queued",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Done", jsonPath = ".status.discovered.done", type = AdditionalPrinterColumn.Type.INTEGER,
        priority = 1)
@AdditionalPrinterColumn(name = "Filtered", jsonPath = ".status.discovered.filtered",
        type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Items", jsonPath = ".status.items", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class CrawlJob extends CustomResource<CrawlJobSpec, CrawlJobStatus> implements Namespaced {
    @Override
    @JsonPropertyDescription("What to crawl, with how many workers, split how, within which limits.")
    public CrawlJobSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("What the operator observed: phase, conditions, workers, progress. Written only by the operator.")
    public CrawlJobStatus getStatus() {
        return super.getStatus();
    }
}
