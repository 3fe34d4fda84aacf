package io.kubecrawl.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The crawler code (its bundle of files), the image it runs in and the command that starts it. */
@Group(ApiGroup.NAME)
@Version(ApiGroup.VERSION)
// The plural fabric8 would derive, stated: it derives it with regular expressions in every instance's constructor,
// which runs for every object the informers and the API server's answers decode.
@Plural("spiders")
@ShortNames("spd")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Bundle", jsonPath = ".status.bundle.digest", type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(name = "Files", jsonPath = ".status.bundle.files", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Spider extends CustomResource<SpiderSpec, SpiderStatus> implements Namespaced {
    @Override
    @JsonPropertyDescription("The spider's runtime and where its files come from.")
    public SpiderSpec getSpec() {
        return super.getSpec();
    }

    @Override
    @JsonPropertyDescription("The resolved bundle and whether the Spider is ready to run. Written only by the operator.")
    public SpiderStatus getStatus() {
        return super.getStatus();
    }
}
