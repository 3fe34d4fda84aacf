package io.kubecrawl.crd.v1alpha1;

/** Group and version of the Kubecrawl API, shared by both resources and by the labels they put on children. */
public final class ApiGroup {
    public static final String NAME = "kubecrawl.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = NAME + "/" + VERSION;

    private ApiGroup() {
    }
}
