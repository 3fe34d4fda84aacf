/**
 * The {@code kubecrawl.io/v1alpha1} API: {@link io.kubecrawl.crd.v1alpha1.Spider} and
 * {@link io.kubecrawl.crd.v1alpha1.CrawlJob}. These classes are the source of truth for the CRD
 * YAML, which the build generates with fabric8's CRD generator.
 */
package io.kubecrawl.crd.v1alpha1;
