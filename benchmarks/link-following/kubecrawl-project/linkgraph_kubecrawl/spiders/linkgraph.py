"""crawl.py's LinkGraphSpider as a Kubecrawl worker runs it: the start requests are the batch's (the Scrapy helper
replaces them), and with KUBECRAWL_DISCOVERED=Frontier the requests parse yields go to the job's frontier."""

import scrapy

# crawl.py sits at the bundle's root, next to scrapy.cfg, whose directory the helper puts on sys.path.
from crawl import SPIDER_NAME, parse_page


class LinkGraphSpider(scrapy.Spider):
    name = SPIDER_NAME

    def __init__(self, hosts="", **kwargs):
        super().__init__(**kwargs)
        # As crawl.py's spiders: the crawl stays on the site's hosts (-a hosts=127.0.0.1,...).
        self.allowed_domains = [host for host in hosts.split(",") if host]

    def parse(self, response):
        return parse_page(response)
