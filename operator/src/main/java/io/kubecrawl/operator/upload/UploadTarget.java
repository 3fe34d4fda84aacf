package io.kubecrawl.operator.upload;

import io.kubecrawl.crd.v1alpha1.Spider;
import io.kubecrawl.crd.v1alpha1.SpiderSource;
import io.kubecrawl.protocol.CrawlJobName;

/** Which Spiders take an upload, and how large: the checks made before the body is read and again at the end. */
final class UploadTarget {

    private UploadTarget() {
    }

    /** A Kubernetes object name (DNS subdomain); anything else cannot name a Spider or a namespace. */
    static boolean isValidName(String name) {
        return CrawlJobName.isObjectName(name);
    }

    /**
     * @throws UploadRefusal 404 when the Spider does not exist, 409 when its bundle does not come from uploads
     */
    static Spider require(String namespace, String name, Spider spider) {
        if (spider == null) {
            throw new UploadRefusal(404, "Spider " + namespace + "/" + name + " does not exist; create it with "
                    + "spec.source.upload first");
        }
        SpiderSource source = spider.getSpec() == null ? null : spider.getSpec().getSource();
        if (source == null || source.getUpload() == null || source.getConfigMap() != null) {
            String from = source != null && source.getConfigMap() != null
                    ? "from ConfigMap " + source.getConfigMap().getName() + " (spec.source.configMap)"
                    : "from no upload source";
            throw new UploadRefusal(409, "Spider " + namespace + "/" + name + " takes its bundle " + from
                    + "; only a Spider with spec.source.upload accepts uploads");
        }
        return spider;
    }

    /** The smaller of the operator's limit and the Spider's own {@code spec.source.upload.maxBytes}. */
    static long maxBytes(Spider spider, long operatorLimit) {
        Long own = spider.getSpec().getSource().getUpload().getMaxBytes();
        return own != null && own > 0 ? Math.min(own, operatorLimit) : operatorLimit;
    }
}
