"""Frontier mode: the requests a spider yields go to the job's frontier, not to this process.

With ``KUBECRAWL_DISCOVERED=Frontier``, the spider middleware :class:`DiscoveredRequests` takes every
request out of a callback's (or errback's) output and writes it to the batch's discovered requests
file instead of letting it reach the scheduler. The agent sends the file to the operator with the
batch's items, in the same ``CompleteBatch``; the operator deduplicates the requests by fingerprint
and leases them in later batches, possibly to other workers, whose ``batch.py`` makes each the same
request again. So a batch is done when its own requests are: what it discovered does not extend it.

What stays in the process, and counts in the batch as every request does in ``Local`` mode:

* a request whose ``meta`` has ``kubecrawl_local`` set true (``kubecrawl_scrapy.LOCAL_META``), for
  pages that only make sense in this process (a login, a form posted with this session's cookies,
  the next page of a result set that must be read in one go);
* a request the frontier cannot carry (see ``requestjson``: a callback that is not a method of the
  spider, a ``meta`` value JSON cannot hold). Scrapy's own disk queues do the same with a request
  they cannot pickle; the first one is logged as a warning, and each is counted in the stats as
  ``kubecrawl/discovered/kept_unserializable``;
* in a session running several batches, a request whose response carries no batch tag (a project
  middleware built a new request without copying ``meta``): its batch cannot be told, so the
  session's rules for untagged requests apply to it.

Where the middleware sits: ``DISCOVERED_REQUESTS_ORDER`` (-1000), below every built-in spider
middleware (the lowest, ``HttpErrorMiddleware``, is 50) and below the 0..1000 that projects use.
Scrapy passes a callback's output from the spider outwards, from the highest order to the lowest,
so this middleware is the last to see it: the project's own middlewares, ``OffsiteMiddleware``
(offsite requests dropped), ``RefererMiddleware`` (the ``Referer`` header), ``UrlLengthMiddleware``
and ``DepthMiddleware`` (``meta["depth"]``, ``DEPTH_LIMIT``, ``DEPTH_PRIORITY``) have had their say,
and what it sends to the frontier is exactly what would have reached the scheduler.

Scrapy 2.8 does not pass what an errback yields for a download error (a refused connection, a DNS
failure, a timeout) through the spider middlewares. Those requests are taken out as well, where the
scraper hands the output to the engine (its ``handle_spider_output``, wrapped for this crawler
only); as no ``DepthMiddleware`` saw them, their depth is the failed request's plus one.

One line of the discovered requests file, a JSON object (pure ASCII)::

    {"url": "https://example.com/page/2/",
     "fingerprint": "5f1c...",     # hex of the crawler's request fingerprint (REQUEST_FINGERPRINTER_CLASS)
     "dont_filter": false,
     "priority": 0,                # request.priority, after DEPTH_PRIORITY
     "depth": 1,                   # request.meta["depth"]: the response's depth + 1, as DepthMiddleware sets it
     "referrer": "https://example.com/",   # the URL of the response it was found in
     "request": "{\\"kubecrawl_request\\":1,...}"}   # the request, see requestjson; a string, sent back as is

The file is written under a temporary name (``<file>.part``) and renamed to its own name when the
batch is over (a session: before the spider says ``done``; one batch per process: when the spider
closes), so the agent never reads half of it.
"""

import json
import logging
import os
import weakref
from collections.abc import AsyncIterable

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from twisted.python.failure import Failure

from kubecrawl_scrapy import FRONTIER, LOCAL, LOCAL_META
from kubecrawl_scrapy.inflight import batch_of
from kubecrawl_scrapy.requestjson import Unserializable, encode_request

logger = logging.getLogger(__name__)

#: The suffix of the name a discovered requests file has while it is written.
TEMPORARY_SUFFIX = ".part"

_by_crawler = weakref.WeakKeyDictionary()


def discovery_of(crawler):
    """The crawler's :class:`DiscoveredRequests` middleware, or None when requests stay local."""
    return _by_crawler.get(crawler)


class DiscoveredFile:
    """One batch's discovered requests file, written under a temporary name until :meth:`close`."""

    def __init__(self, path):
        self.path = path
        self.temporary = path + TEMPORARY_SUFFIX
        self.count = 0
        self._done = False
        # Truncated: an attempt's file holds that attempt's requests only.
        self._file = open(self.temporary, "w", encoding="utf-8")

    def write(self, fields):
        self._file.write(json.dumps(fields, separators=(",", ":")))
        self._file.write("\n")
        self.count += 1

    def close(self):
        """Flushes and closes the file and renames it into place: after this the agent may read it."""
        if self._done:
            return
        self._done = True
        self._file.close()
        os.replace(self.temporary, self.path)

    def discard(self):
        """Closes and deletes the file of a batch that will not be reported."""
        self._done = True
        for action in (self._file.close, lambda: os.remove(self.temporary)):
            try:
                action()
            except OSError:
                pass


class DiscoveredRequests:
    """The spider middleware of Frontier mode (see the module's description)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self._fingerprint = _fingerprinter(crawler)
        #: Each running batch's file by batch key; outside a session, the one file under None.
        self.files = {}
        self._unserializable_logged = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if settings.get("KUBECRAWL_DISCOVERED", LOCAL) != FRONTIER:
            raise NotConfigured("requests stay in the process (KUBECRAWL_DISCOVERED is not Frontier)")
        middleware = cls(crawler)
        if not settings.get("KUBECRAWL_AGENT_SOCKET"):
            path = settings.get("KUBECRAWL_DISCOVERED_FILE")
            if not path:
                raise ValueError("kubecrawl_scrapy: Frontier mode needs KUBECRAWL_DISCOVERED_FILE")
            middleware.open(None, path)
            crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        _by_crawler[crawler] = middleware
        return middleware

    # The batches' files (a session opens and closes one per batch).

    def open(self, key, path):
        """Starts the file of a batch. @raises OSError if it cannot be written"""
        self.discard(key)
        self.files[key] = DiscoveredFile(path)

    def close(self, key):
        """Puts the batch's file in place; returns how many requests it holds. @raises OSError"""
        discovered = self.files.pop(key, None)
        if discovered is None:
            return 0
        try:
            discovered.close()
        except OSError:
            discovered.discard()
            raise
        return discovered.count

    def discard(self, key):
        discovered = self.files.pop(key, None)
        if discovered is not None:
            discovered.discard()

    # Signals.

    def spider_opened(self, spider):
        scraper = self.crawler.engine.scraper
        handle_output = scraper.handle_spider_output

        def diverting_errback_output(result, request, response, spider):
            # A Failure instead of a response: an errback's output for a download error, which no
            # spider middleware saw.
            if result and isinstance(response, Failure):
                result = self._divert_all(result, request, request.url, _depth(request), False, spider)
            return handle_output(result, request, response, spider)

        scraper.handle_spider_output = diverting_errback_output

    def spider_closed(self, spider, reason):
        # Outside a session: the crawl is over, so is the batch.
        self.close(None)

    # The spider middleware.

    def process_spider_output(self, response, result, spider):
        parent_depth = _depth(response)
        for output in result or ():
            if not self._diverted(output, response, response.url, parent_depth, True, spider):
                yield output

    async def process_spider_output_async(self, response, result, spider):
        parent_depth = _depth(response)
        async for output in result or ():
            if not self._diverted(output, response, response.url, parent_depth, True, spider):
                yield output

    def _divert_all(self, result, source, referrer, parent_depth, depth_set, spider):
        if isinstance(result, AsyncIterable):
            return self._divert_async(result, source, referrer, parent_depth, depth_set, spider)
        return (output for output in result
                if not self._diverted(output, source, referrer, parent_depth, depth_set, spider))

    async def _divert_async(self, result, source, referrer, parent_depth, depth_set, spider):
        async for output in result:
            if not self._diverted(output, source, referrer, parent_depth, depth_set, spider):
                yield output

    def _diverted(self, output, source, referrer, parent_depth, depth_set, spider):
        """Writes a request to its batch's file; False for what stays in the process.

        ``depth_set``: DepthMiddleware has set ``meta["depth"]`` (the output went through the
        spider middlewares), which is then kept as it is.
        """
        if not isinstance(output, Request) or output.meta.get(LOCAL_META):
            return False
        discovered = self._file_for(source)
        if discovered is None:
            return False
        depth = output.meta.get("depth") if depth_set else None
        if not isinstance(depth, int) or isinstance(depth, bool):
            depth = parent_depth + 1
            output.meta["depth"] = depth
        try:
            request = encode_request(output, spider)
        except Unserializable as why:
            self._kept_unserializable(output, why, spider)
            return False
        discovered.write({
            "url": output.url,
            "fingerprint": _hex(self._fingerprint(output)),
            "dont_filter": bool(output.dont_filter),
            "priority": int(output.priority),
            "depth": depth,
            "referrer": referrer,
            "request": request,
        })
        self.stats.inc_value("kubecrawl/discovered", spider=spider)
        return True

    def _file_for(self, source):
        key = batch_of(source)
        if key is None and len(self.files) == 1:
            # Outside a session, the one file; in one, the one batch running (as items go).
            return next(iter(self.files.values()))
        return self.files.get(key)

    def _kept_unserializable(self, request, why, spider):
        self.stats.inc_value("kubecrawl/discovered/kept_unserializable", spider=spider)
        if not self._unserializable_logged:
            self._unserializable_logged = True
            logger.warning(
                "Kubecrawl: %s cannot go to the frontier (%s); it is fetched in this process, as "
                "part of its batch (no more such requests will be logged; see the stats)",
                request, why,
            )


def _depth(response_or_request):
    depth = response_or_request.meta.get("depth", 0)
    return depth if isinstance(depth, int) and not isinstance(depth, bool) else 0


def _hex(fingerprint):
    """Scrapy >= 2.7 fingerprints are bytes; older ``request_fingerprint`` gave hex text."""
    return fingerprint.hex() if isinstance(fingerprint, (bytes, bytearray)) else str(fingerprint)


def _fingerprinter(crawler):
    """The crawler's request fingerprinter (Scrapy >= 2.7), or Scrapy's default function."""
    fingerprinter = getattr(crawler, "request_fingerprinter", None)
    if fingerprinter is not None:
        return fingerprinter.fingerprint
    try:
        from scrapy.utils.request import fingerprint
    except ImportError:
        from scrapy.utils.request import request_fingerprint as fingerprint
    return fingerprint
