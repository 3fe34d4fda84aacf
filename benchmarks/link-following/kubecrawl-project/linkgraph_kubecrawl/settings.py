"""crawl.py's settings for the plain and scrapy-redis processes, so that every crawler of the benchmark fetches with
the same concurrency: 16 requests at once, at most 8 of them to one host, per process."""

BOT_NAME = "linkgraph"
SPIDER_MODULES = ["linkgraph_kubecrawl.spiders"]
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
ROBOTSTXT_OBEY = False
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"
