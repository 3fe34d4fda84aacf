package io.kubecrawl.operator.testing;

import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Plays the API server's authentication and RBAC for the HTTP API's tests, which the CRUD mock server does not:
 * TokenReviews know a few tokens, SubjectAccessReviews allow what {@link #ALLOWED} lists.
 */
public final class ClusterIdentities {

    /** A user allowed everything on Kubecrawl resources. */
    public static final String ADMIN_TOKEN = "token-of-alice";
    /** A user the cluster knows but RBAC grants nothing. */
    public static final String STRANGER_TOKEN = "token-of-bob";

    private static final Map<String, String> USERS = Map.of(ADMIN_TOKEN, "alice", STRANGER_TOKEN, "bob");
    private static final Set<String> ALLOWED = Set.of("alice");

    private ClusterIdentities() {
    }

    public static void install(KubernetesMockServer server) {
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> {
                    TokenReview review = Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
                    String user = USERS.get(review.getSpec().getToken());
                    review.setStatus(new io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder()
                            .withAuthenticated(user != null)
                            .withUser(user == null ? null : new io.fabric8.kubernetes.api.model.authentication
                                    .UserInfoBuilder().withUsername(user).withUid("uid-" + user)
                                    .addToGroups("system:authenticated").build())
                            .build());
                    return review;
                }).always();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(201, request -> {
                    SubjectAccessReview review = Serialization.unmarshal(request.getUtf8Body(),
                            SubjectAccessReview.class);
                    boolean allowed = ALLOWED.contains(review.getSpec().getUser());
                    review.setStatus(new io.fabric8.kubernetes.api.model.authorization.v1
                            .SubjectAccessReviewStatusBuilder().withAllowed(allowed).build());
                    return review;
                }).always();
    }
}
