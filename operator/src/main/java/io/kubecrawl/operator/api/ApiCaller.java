package io.kubecrawl.operator.api;

import java.util.List;
import java.util.Map;

/** Who called the HTTP API, as the API server's TokenReview told: the identity RBAC decides on. */
public record ApiCaller(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
}
