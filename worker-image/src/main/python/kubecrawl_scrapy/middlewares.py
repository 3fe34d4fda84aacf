"""The spider middleware that gives a spider the batch's requests as its start requests."""

import logging

from scrapy.exceptions import NotConfigured

from kubecrawl_scrapy.batch import BatchRequests, read_requests

logger = logging.getLogger(__name__)


class BatchStartRequests:
    """Replaces the spider's start requests with the requests of the batch file.

    The spider's own ``start_requests`` (or ``start_urls``) is never iterated, so it may fetch
    whatever it likes when run by hand. Requests without a callback go to the spider's ``parse``,
    as start requests do. The file is read when the crawler is built, so that a malformed line
    makes ``scrapy crawl`` exit non-zero (the batch fails and is retried) instead of crawling part
    of the batch and reporting success.

    In a session (``KUBECRAWL_AGENT_SOCKET``), the session extension reads every batch, the first
    included, and sends its requests down this same chain as a ``BatchRequests``: this middleware
    lets those through, so the project's own middlewares see every batch's requests, and a
    malformed batch fails only that batch.
    """

    def __init__(self, batch_file, requests, session):
        self.batch_file = batch_file
        self.requests = requests
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        batch_file = crawler.settings.get("KUBECRAWL_BATCH_FILE")
        if not batch_file:
            raise NotConfigured("no KUBECRAWL_BATCH_FILE: the spider keeps its own start requests")
        if crawler.settings.get("KUBECRAWL_AGENT_SOCKET"):
            return cls(batch_file, None, session=True)
        # The spider exists before the middlewares: it resolves the callbacks of discovered requests.
        return cls(batch_file, list(read_requests(batch_file, crawler.spider)), session=False)

    def process_start_requests(self, start_requests, spider):
        if isinstance(start_requests, BatchRequests):
            yield from start_requests
            return
        if self.session:
            return
        logger.info("Kubecrawl batch: %d start requests from %s", len(self.requests), self.batch_file)
        yield from self.requests
