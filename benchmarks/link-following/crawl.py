"""One crawler process of the link-following benchmark: a spider that follows every link of the generated site and
yields each page's items, either on Scrapy's own scheduler (``plain``) or on scrapy-redis's shared one (``redis``).

    python3 crawl.py plain --seeds FILE --hosts 127.0.0.1,... --items FILE --log FILE
    python crawl.py redis --redis-url unix:///path/redis.sock --hosts ... --items FILE --log FILE

``redis`` needs the scrapy-redis package (run.sh installs it into a venv over Debian's Scrapy) and reads its seeds
from Redis, where bench.py puts them.
"""

import argparse
import json

import scrapy
from scrapy.crawler import CrawlerProcess

# What bench.py's scrapy-redis processes use for keys in Redis: it seeds and watches the same ones.
SPIDER_NAME = "linkgraph"
START_URLS_KEY = SPIDER_NAME + ":start_urls"


class ItemLinesPipeline:
    """Writes each item as a JSON line and flushes it at once: a process killed with SIGKILL then loses the items it
    never scraped, which is what the fault case measures, and not those Python's file buffer still held."""

    def __init__(self, path):
        self.path = path
        self.out = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("LINKGRAPH_ITEMS_FILE"))

    def open_spider(self, spider):
        self.out = open(self.path, "a", encoding="utf-8")

    def process_item(self, item, spider):
        self.out.write(json.dumps(item) + "\n")
        self.out.flush()
        return item

    def close_spider(self, spider):
        self.out.close()


def parse_page(response):
    for text in response.css("span.item::text").getall():
        yield {"url": response.url, "text": text}
    for href in response.css("a::attr(href)").getall():
        # No callback: the spider's parse is the default, and scrapy-redis can store only a spider method's name.
        yield response.follow(href)


class LinkGraphSpider(scrapy.Spider):
    name = SPIDER_NAME

    def __init__(self, seeds, hosts, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = seeds
        # Scopes the crawl to the site's hosts, as a real crawl's allowed_domains would (stray links go elsewhere).
        self.allowed_domains = hosts

    def parse(self, response):
        return parse_page(response)


def redis_spider_class():
    from scrapy_redis.spiders import RedisSpider

    class RedisLinkGraphSpider(RedisSpider):
        name = SPIDER_NAME
        redis_key = START_URLS_KEY

        def __init__(self, hosts, **kwargs):
            super().__init__(**kwargs)
            self.allowed_domains = hosts

        def parse(self, response):
            return parse_page(response)

    return RedisLinkGraphSpider


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("kind", choices=["plain", "redis"])
    arguments.add_argument("--seeds")
    arguments.add_argument("--hosts", required=True)
    arguments.add_argument("--items", required=True)
    arguments.add_argument("--log", required=True)
    arguments.add_argument("--redis-url")
    options = arguments.parse_args()
    settings = {
        # Scrapy's defaults for concurrency, said here because the figures depend on them: 16 requests at once,
        # at most 8 of them to one host, per process.
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "LOG_LEVEL": "INFO",
        "LOG_FILE": options.log,
        "ITEM_PIPELINES": {__name__ + ".ItemLinesPipeline": 300},
        "LINKGRAPH_ITEMS_FILE": options.items,
    }
    hosts = options.hosts.split(",")
    if options.kind == "plain":
        with open(options.seeds, encoding="utf-8") as lines:
            seeds = [line.strip() for line in lines if line.strip()]
        spider, spider_arguments = LinkGraphSpider, {"seeds": seeds, "hosts": hosts}
    else:
        settings.update({
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            # Without it, every process that closes flushes the shared dupefilter and request queue: the first of
            # several processes to stop would empty the others' frontier, and a process started later would fetch
            # everything again.
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": options.redis_url,
        })
        spider, spider_arguments = redis_spider_class(), {"hosts": hosts}
    process = CrawlerProcess(settings)
    process.crawl(spider, **spider_arguments)
    process.start()


if __name__ == "__main__":
    main()
