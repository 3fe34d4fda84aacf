package io.kubecrawl.operator.frontier.discovered;

import static io.kubecrawl.operator.frontier.discovered.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class CrawlScopeTest {

    @Test
    void theHostIsFoundInUrlsJavaNetUriWouldReject() {
        assertThat(CrawlScope.host("https://Shop.Example.COM/a b|c")).isEqualTo("shop.example.com");
        assertThat(CrawlScope.host("http://user:pw@example.com:8080/x")).isEqualTo("example.com");
        assertThat(CrawlScope.host("http://[::1]:8080/")).isEqualTo("::1");
        assertThat(CrawlScope.host("https://example.com.?q")).isEqualTo("example.com");
        assertThat(CrawlScope.host("mailto:someone@example.com")).isNull();
        assertThat(CrawlScope.host("file:///etc/passwd")).isNull();
    }

    @Test
    void anAllowedDomainAdmitsItselfAndItsSubdomainsOnly() {
        CrawlScope scope = CrawlScope.of(0, 0, List.of("Example.com."), List.of());

        assertThat(scope.admits(request("https://example.com/"))).isTrue();
        assertThat(scope.admits(request("https://www.shop.example.com/"))).isTrue();
        assertThat(scope.admits(request("https://notexample.com/"))).isFalse();
        assertThat(scope.admits(request("https://example.com.evil.test/"))).isFalse();
        assertThat(scope.admits(request("data:text/plain,example.com"))).isFalse();
    }

    @Test
    void aUrlPatternIsFoundAnywhereInTheUrlAndAnyOneIsEnough() {
        CrawlScope scope = CrawlScope.of(0, 0, List.of(), List.of("/product/\\d+", "[?&]page="));

        assertThat(scope.admits(request("https://shop.test/product/12/reviews"))).isTrue();
        assertThat(scope.admits(request("https://shop.test/list?sort=asc&page=3"))).isTrue();
        assertThat(scope.admits(request("https://shop.test/about"))).isFalse();
    }

    @Test
    void depthBeyondMaxDepthIsRefusedAndZeroMeansNoLimit() {
        assertThat(CrawlScope.of(2, 0, null, null).admits(request("https://a.test/", 0, 2))).isTrue();
        assertThat(CrawlScope.of(2, 0, null, null).admits(request("https://a.test/", 0, 3))).isFalse();
        assertThat(CrawlScope.UNLIMITED.admits(request("https://a.test/", 0, 1000))).isTrue();
    }

    @Test
    void remainingCountsDownToZeroAndZeroMaxRequestsIsUnlimited() {
        assertThat(CrawlScope.of(0, 10, null, null).remaining(7)).isEqualTo(3);
        assertThat(CrawlScope.of(0, 10, null, null).remaining(12)).isZero();
        assertThat(CrawlScope.UNLIMITED.remaining(1_000_000)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void negativeLimitsAndEmptyDomainsAreRefused() {
        assertThatThrownBy(() -> CrawlScope.of(-1, 0, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrawlScope.of(0, -1, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrawlScope.of(0, 0, List.of("."), null)).isInstanceOf(IllegalArgumentException.class);
    }
}
