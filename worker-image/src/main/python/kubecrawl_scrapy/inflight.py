"""Which batch every request of a session belongs to, and when a batch has nothing left to do.

A session runs more than one batch at once, so that the next batch's requests fill the
downloader while the last pages of the previous one are still on their way. Scrapy's own idle
signal only says that *everything* is finished; this tracker says it of one batch:

* Every request carries its batch in ``request.meta["kubecrawl_batch"]``: the session sets it on
  the batch's start requests, and every request a callback or errback yields inherits the tag of
  the response it came from (Scrapy copies ``meta`` on redirects and retries itself).
* A batch's requests are counted while they wait in the scheduler and while they are in progress
  in the engine (downloaded, then scraped: Scrapy removes a request from the engine only after its
  callback's output, items included, has been processed). A batch is settled when both are zero,
  its start requests are all scheduled, and no untagged request is outstanding either;
  ``on_settled`` is then called with its key.
* A request without a tag (a pipeline or extension called ``engine.crawl`` itself, or a middleware
  built a new request without copying ``meta``) cannot be told apart: while one waits or is in
  progress, no batch settles, so none is reported before what may be its last request is done.
* Each batch has a duplicate filter of its own, so that it follows the links it would follow in a
  process of its own, whatever the other batch of the session has already seen.

Scrapy 2.8 has no extension point for any of this, so the tracker wraps four methods of the
engine's own objects (not of their classes, so nothing outside this crawler is touched): the
scheduler's ``enqueue_request`` and ``next_request``, the engine slot's ``remove_request``, and the
scraper's ``handle_spider_output``; and, when the duplicate filter is Scrapy's own
``RFPDupeFilter`` without a ``JOBDIR`` file, its ``request_seen``.
"""

import logging
from collections.abc import AsyncIterable

from scrapy import Request
from scrapy.dupefilters import BaseDupeFilter, RFPDupeFilter

logger = logging.getLogger(__name__)

#: The ``Request.meta`` key that names a request's batch.
TAG = "kubecrawl_batch"


def batch_of(request_or_response):
    """The batch key of a request, a response or a failure (through the request it carries), or None."""
    request = request_or_response
    if not isinstance(request, Request):
        request = getattr(request_or_response, "request", None)
    if request is None:
        return None
    return request.meta.get(TAG)


class _Counts:
    __slots__ = ("queued", "in_progress", "scheduling", "seen")

    def __init__(self):
        self.queued = 0
        self.in_progress = set()
        #: Its start requests are still on their way through the spider middlewares.
        self.scheduling = True
        self.seen = set()

    def settled(self):
        return not self.scheduling and self.queued == 0 and not self.in_progress


class BatchTracker:
    """Counts each open batch's outstanding requests (see the module's description)."""

    def __init__(self, engine, on_settled, on_started_all=None, on_moved=None):
        """``on_started_all(key)`` is called when the last request a batch had waiting in the
        scheduler goes to the downloader: from then on only its last pages are being fetched.
        ``on_moved()`` is called whenever a request goes to the downloader or leaves the engine,
        after the tracker has counted it: what the downloader holds has changed."""
        self._engine = engine
        self._on_settled = on_settled
        self._on_started_all = on_started_all or (lambda key: None)
        self._on_moved = on_moved or (lambda: None)
        self._batches = {}
        #: The untagged requests waiting in the scheduler, and those in progress.
        self._untagged_queued = 0
        self._untagged_in_progress = set()
        #: Whether batches may overlap: each has a duplicate filter of its own, or none filters.
        self.separate_filters = False

    def install(self):
        """Wraps the engine's objects; call once, when the spider is open (the engine slot exists)."""
        scheduler = self._engine.slot.scheduler
        enqueue, next_request = scheduler.enqueue_request, scheduler.next_request
        remove_request = self._engine.slot.remove_request
        handle_output = self._engine.scraper.handle_spider_output

        def counted_enqueue(request):
            accepted = enqueue(request)
            key = request.meta.get(TAG)
            counts = self._batches.get(key)
            if counts is None:
                if accepted:
                    self._untagged_queued += 1
            elif accepted:
                counts.queued += 1
            else:
                self._check(key)
            return accepted

        def counted_next():
            request = next_request()
            if request is None:
                return None
            key = request.meta.get(TAG)
            counts = self._batches.get(key)
            if counts is None:
                self._untagged_queued -= 1
                self._untagged_in_progress.add(request)
            else:
                counts.queued -= 1
                counts.in_progress.add(request)
                if counts.queued == 0 and not counts.scheduling:
                    self._on_started_all(key)
            self._on_moved()
            return request

        def counted_remove(request):
            remove_request(request)
            key = request.meta.get(TAG)
            counts = self._batches.get(key)
            if counts is not None and request in counts.in_progress:
                counts.in_progress.discard(request)
                self._check(key)
            elif request in self._untagged_in_progress:
                self._untagged_in_progress.discard(request)
                for open_key in list(self._batches):
                    self._check(open_key)
            self._on_moved()

        def tagged_output(result, request, response, spider):
            key = request.meta.get(TAG)
            if key is not None and result:
                result = _tagged(result, key)
            return handle_output(result, request, response, spider)

        scheduler.enqueue_request = counted_enqueue
        scheduler.next_request = counted_next
        self._engine.slot.remove_request = counted_remove
        self._engine.scraper.handle_spider_output = tagged_output

        dupefilter = getattr(scheduler, "df", None)
        if type(dupefilter) is BaseDupeFilter:
            self.separate_filters = True  # it filters nothing: there is nothing to keep apart
        elif type(dupefilter) is RFPDupeFilter and dupefilter.file is None:
            seen_anywhere = dupefilter.request_seen

            def seen_in_batch(request):
                counts = self._batches.get(request.meta.get(TAG))
                if counts is None:
                    return seen_anywhere(request)
                mark = dupefilter.request_fingerprint(request)
                if mark in counts.seen:
                    return True
                counts.seen.add(mark)
                return False

            dupefilter.request_seen = seen_in_batch
            self.separate_filters = True
        else:
            logger.info(
                "Kubecrawl session: the duplicate filter %s is not Scrapy's own in memory; batches "
                "run one at a time", type(dupefilter).__name__,
            )

    def open(self, key):
        """Starts counting a batch, before its start requests are scheduled."""
        self._batches[key] = _Counts()

    def scheduled(self, key):
        """The batch's start requests are all with the scheduler: it may settle from now on."""
        counts = self._batches.get(key)
        if counts is not None:
            counts.scheduling = False
            if counts.queued == 0:
                self._on_started_all(key)
            self._check(key)

    def close(self, key):
        """Forgets a batch (settled, failed, or abandoned with the spider)."""
        self._batches.pop(key, None)

    def scheduling(self, key):
        counts = self._batches.get(key)
        return counts is not None and counts.scheduling

    def all_started(self, key):
        """Whether none of the batch's requests waits in the scheduler any more."""
        counts = self._batches.get(key)
        return counts is None or (not counts.scheduling and counts.queued == 0)

    def _check(self, key):
        counts = self._batches.get(key)
        untagged = self._untagged_queued > 0 or self._untagged_in_progress
        if counts is not None and counts.settled() and not untagged:
            self.close(key)
            self._on_settled(key)


def _tagged(result, key):
    """The callback's output with the batch tag on every request that has none."""
    if isinstance(result, AsyncIterable):
        return _tagged_async(result, key)
    return _tagged_sync(result, key)


def _tag(output, key):
    if isinstance(output, Request) and TAG not in output.meta:
        output.meta[TAG] = key
    return output


def _tagged_sync(result, key):
    for output in result:
        yield _tag(output, key)


async def _tagged_async(result, key):
    async for output in result:
        yield _tag(output, key)
