"""The quotes spider: every quote of a listing page, then the next page, until the last."""

import scrapy

from quotes.items import QuoteItem


class QuotesSpider(scrapy.Spider):
    """Collects quotes from listing pages laid out like quotes.toscrape.com.

    Each page holds ``div.quote`` blocks (``span.text``, ``small.author``, ``a.tag``) and,
    except the last, a ``li.next a`` link to the following page.

    Start URLs, in order of precedence:

    * the ``start_urls`` spider argument, comma- or whitespace-separated:
      ``scrapy crawl quotes -a start_urls=https://quotes.toscrape.com/tag/love/``
    * the ``QUOTES_START_URLS`` setting (a list, or a comma-separated string with ``-s``).
    """

    name = "quotes"

    def __init__(self, *args, start_urls=None, **kwargs):
        super().__init__(*args, **kwargs)
        # An argument given with -a arrives as one string; keep None when it was not given,
        # so that the setting applies (settings are not available yet in __init__).
        self.start_urls = _url_list(start_urls) if start_urls is not None else None

    def start_requests(self):
        urls = self.start_urls
        if urls is None:
            urls = _url_list(self.settings.get("QUOTES_START_URLS"))
        if not urls:
            raise ValueError(
                "no start URLs: pass -a start_urls=URL[,URL...] or set QUOTES_START_URLS"
            )
        for url in urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        for quote in response.css("div.quote"):
            yield QuoteItem(
                text=_clean_text(quote.css("span.text::text").get()),
                author=(quote.css("small.author::text").get() or "").strip(),
                tags=[tag.strip() for tag in quote.css("a.tag::text").getall()],
                url=response.url,
            )

        next_page = response.css("li.next a::attr(href)").get()
        if next_page is not None:
            yield response.follow(next_page, callback=self.parse)


def _url_list(value):
    """A list of URLs from a list, or from a string separated by commas or whitespace."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [url.strip() for url in value if url and url.strip()]


def _clean_text(text):
    """The quote without surrounding whitespace and curly quotation marks."""
    return (text or "").strip().strip("\u201c\u201d").strip()
