package io.kubecrawl.operator.api;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.core.Response;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecrawl.crd.v1alpha1.ApiGroup;

/**
 * Decides who may use the HTTP API the way the API server itself would: the caller's bearer token is checked with a
 * TokenReview, and what it asks with a SubjectAccessReview against the Kubecrawl resources, so the cluster's RBAC is
 * the only place permissions are granted.
 */
@ApplicationScoped
public class ApiAuthorizer {

    private static final String BEARER = "Bearer ";
    private final KubernetesClient client;

    public ApiAuthorizer(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @throws NotAuthorizedException (401) without a valid token
     * @throws ForbiddenException (403) when RBAC does not allow {@code verb} on the resource
     */
    public ApiCaller authorize(String authorization, String verb, String resource, String namespace, String name) {
        ApiCaller caller = authenticate(authorization);
        SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(
                new SubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withUser(caller.username())
                        .withUid(caller.uid())
                        .withGroups(caller.groups())
                        .withExtra(caller.extra())
                        .withNewResourceAttributes()
                        .withGroup(ApiGroup.NAME)
                        .withResource(resource)
                        .withVerb(verb)
                        .withNamespace(namespace)
                        .withName(name)
                        .endResourceAttributes()
                        .endSpec()
                        .build());
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
            throw new ForbiddenException(Response.status(Response.Status.FORBIDDEN).type("text/plain")
                    .entity(caller.username() + " may not " + verb + " " + resource + " " + name + " in namespace "
                            + namespace + "\n").build());
        }
        return caller;
    }

    private ApiCaller authenticate(String authorization) {
        Optional<String> token = Optional.ofNullable(authorization).filter(h -> h.startsWith(BEARER))
                .map(h -> h.substring(BEARER.length()).strip()).filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            throw unauthorized("send a Kubernetes bearer token: Authorization: Bearer <token>");
        }
        TokenReview review = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder()
                .withNewSpec().withToken(token.get()).endSpec().build());
        if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                || review.getStatus().getUser() == null) {
            throw unauthorized("the bearer token is not valid in this cluster");
        }
        var user = review.getStatus().getUser();
        return new ApiCaller(user.getUsername(), user.getUid(),
                user.getGroups() == null ? List.of() : user.getGroups(), user.getExtra());
    }

    private static NotAuthorizedException unauthorized(String message) {
        return new NotAuthorizedException(Response.status(Response.Status.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer").type("text/plain").entity(message + "\n").build());
    }
}
