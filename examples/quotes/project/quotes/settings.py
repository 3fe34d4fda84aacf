"""Scrapy settings of the quotes project: polite defaults, no external services.

Every setting can be overridden on the command line (`scrapy crawl quotes -s NAME=VALUE`)
or, in a Kubecrawl Spider, by appending `-s NAME=VALUE` to `spec.runtime.args`.
"""

BOT_NAME = "quotes"

SPIDER_MODULES = ["quotes.spiders"]
NEWSPIDER_MODULE = "quotes.spiders"

# Where the spider starts when no `start_urls` argument is given: a comma-separated
# string or a list. `scrapy crawl quotes -a start_urls=URL1,URL2` overrides it.
QUOTES_START_URLS = ["https://quotes.toscrape.com/"]

# Say who is crawling; replace with something that identifies your crawl and a contact.
USER_AGENT = "kubecrawl-example-quotes (+https://example.org/contact)"

# The example site is a sandbox made for scraping; obey robots.txt for real sites.
ROBOTSTXT_OBEY = False

# Politeness: few requests at once per site, a delay between them, and AutoThrottle to
# slow down further when the site answers slowly.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2

# No side services: no telnet console (it would open a port in the worker pod), no HTTP
# cache on disk (worker pods have a read-only root filesystem; only /workspace and /tmp
# are writable).
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False

# Items are written as UTF-8 rather than with \u escapes.
FEED_EXPORT_ENCODING = "utf-8"

# The defaults of `scrapy startproject` since Scrapy 2.7; the worker image ships the
# Scrapy of Debian 12 (2.8), which warns without the fingerprinter setting.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

LOG_LEVEL = "INFO"
