package io.kubecrawl.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Scrapy helper's request format ({@code kubecrawl_scrapy/requestjson.py}), checked in Debian's Python with its
 * Scrapy: a request written for the frontier and read back as a batch line is the same request, bytes and all; what
 * the format cannot carry is refused rather than changed; a seed line the user wrote reads as before.
 */
class RequestJsonTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String CHECKS = """
            import json
            import scrapy
            from scrapy.http import FormRequest
            from kubecrawl_scrapy.batch import BatchFileError, parse_line
            from kubecrawl_scrapy.requestjson import Unserializable, encode_request


            class Spider(scrapy.Spider):
                name = "s"

                def parse_page(self, response, page, raw):
                    pass

                def failed(self, failure):
                    pass


            spider = Spider()
            original = scrapy.Request(
                "https://example.com/search?q=1", method="POST", body=b"\\x00\\x01binary\\xfe",
                headers={"X-Bytes": b"caf\\xe9", "Accept": ["a", "b"]}, cookies={"session": "s1"},
                callback=spider.parse_page, errback=spider.failed, priority=7, dont_filter=False,
                cb_kwargs={"page": 2, "raw": b"\\xff", "pair": (1, 2)},
                meta={"depth": 3, "token": b"t", "nested": {"list": [1.5, None, True]}, "kubecrawl_batch": "0/1#1"},
                flags=["seen"])
            text = encode_request(original, spider)
            assert "\\n" not in text and text.isascii(), text
            fields = json.loads(text)
            assert fields["kubecrawl_request"] == 1 and fields["callback"] == "parse_page", fields
            assert "kubecrawl_batch" not in fields["meta"], fields

            back = parse_line(text, 1, spider)
            assert back.url == original.url and back.method == "POST"
            assert back.body == b"\\x00\\x01binary\\xfe", back.body
            assert back.headers.getlist("X-Bytes") == [b"caf\\xe9"], back.headers
            assert back.headers.getlist("Accept") == [b"a", b"b"], back.headers
            assert back.cookies == {"session": "s1"}
            assert back.callback == spider.parse_page and back.errback == spider.failed
            assert back.priority == 7 and back.flags == ["seen"]
            assert back.cb_kwargs == {"page": 2, "raw": b"\\xff", "pair": [1, 2]}, back.cb_kwargs
            assert back.meta == {"depth": 3, "token": b"t", "nested": {"list": [1.5, None, True]}}, back.meta
            assert back.dont_filter, "a leased request bypasses the duplicate filter"

            form = FormRequest("https://example.com/login", formdata={"user": "a b"}, callback=spider.parse_page)
            form_back = parse_line(encode_request(form, spider), 2, spider)
            assert type(form_back) is FormRequest and form_back.body == b"user=a+b", form_back.body

            for refused in (scrapy.Request("https://example.com/", callback=lambda response: None),
                            scrapy.Request("https://example.com/", meta={"object": object()}),
                            scrapy.Request("https://example.com/", meta={"nan": float("nan")}),
                            scrapy.Request("https://example.com/", cb_kwargs={"by_number": {1: "one"}})):
                try:
                    encode_request(refused, spider)
                except Unserializable:
                    pass
                else:
                    raise AssertionError(f"{refused} {refused.meta} was serialised")

            for bad, why in (('{"kubecrawl_request": 1, "url": "https://e/", "callback": "nowhere"}', "nowhere"),
                             ('{"kubecrawl_request": 2, "url": "https://e/"}', "format 2"),
                             ('{"kubecrawl_request": 1, "url": "https://e/", "body": "%%%"}', "base64")):
                try:
                    parse_line(bad, 3, spider)
                except BatchFileError as error:
                    assert why in str(error) and str(error).startswith("line 3: "), error
                else:
                    raise AssertionError(bad)

            seed = parse_line('{"url": "https://example.com/seed", "method": "PUT", "body": "plain text"}', 4, spider)
            assert seed.method == "PUT" and seed.body == b"plain text" and seed.callback is None and seed.dont_filter
            print("all checks passed")
            """;

    @TempDir
    Path temp;

    @BeforeAll
    static void scrapyIsInstalled() {
        assumeTrue(Files.isExecutable(QuotesSite.SCRAPY), QuotesSite.SCRAPY_MISSING);
    }

    @Test
    void aRequestReadBackIsTheSameRequestAndWhatTheFormatCannotCarryIsRefused() throws Exception {
        Path log = temp.resolve("python.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(PYTHON.toString(), "-c", CHECKS))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("PYTHONPATH", Path.of("src/main/python").toAbsolutePath().toString(),
                "PYTHONDONTWRITEBYTECODE", "1"));
        Process python = builder.start();
        if (!python.waitFor(60, TimeUnit.SECONDS)) {
            python.destroyForcibly();
            throw new AssertionError("python did not finish within 60 s");
        }

        String output = Files.readString(log);
        assertThat(python.exitValue()).as(output).isZero();
        assertThat(output).contains("all checks passed");
    }
}
