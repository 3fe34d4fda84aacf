"""The job's minimum delay per host (``spec.frontier.minHostDelayMillis``), kept by Scrapy's own downloader.

The agent passes the minimum as ``KUBECRAWL_MIN_HOST_DELAY_MILLIS``; ``kubecrawl_scrapy.settings``
turns it into the setting of the same name and, when it is above 0, adds the extension
:class:`MinimumHostDelay`.

Why Scrapy's download delay rather than a gate of our own: Scrapy's downloader already spaces the
requests of one download slot, and a slot is a host name (Scrapy's ``_get_slot_key``). With a delay
set, it hands a slot's requests to the network one at a time, at least ``delay`` apart (``slot.lastseen``),
whatever ``CONCURRENT_REQUESTS_PER_DOMAIN`` says. A gate in a downloader middleware would act
before the slot's queue, and requests it let through apart could still leave that queue together.

What the extension does, so that the minimum holds whatever the project says:

* as each request reaches the downloader, it floors its slot's ``download_delay()`` at the minimum:
  that method is where the downloader reads the delay, each time it decides whether the slot's next
  request may go. So neither ``-s DOWNLOAD_DELAY=0``, nor a spider's ``download_delay = 0``, nor
  AutoThrottle (which sets ``slot.delay`` after every response, up to ``AUTOTHROTTLE_MAX_DELAY``),
  nor ``RANDOMIZE_DOWNLOAD_DELAY`` (a draw between 0.5 and 1.5 times the delay) brings two starts
  closer; a longer delay of the project's, randomised or not, stays as it is;
* when the spider opens, it raises the spider's ``download_delay`` to the minimum (never lowering a
  longer one), so that the log and AutoThrottle, which takes it as its floor, see the delay in force.

Its order (``MINIMUM_HOST_DELAY_ORDER`` in ``settings``) is below AutoThrottle's (0), so that
AutoThrottle, which reads the spider's delay when the spider opens, reads the raised one.

What it does not cover, and says so in the log once: a spider that puts requests in slots of its
own naming (``meta["download_slot"]``) spreads one host over several slots, each kept apart on its
own. ``CONCURRENT_REQUESTS_PER_IP`` makes slots by IP address, which only keeps host names on one
address further apart. The minimum holds within one spider process: the batches of a session share
its downloader, and a new process (after a failed batch) starts with no memory of the last one's
requests.
"""

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

#: The setting ``kubecrawl_scrapy.settings`` fills from KUBECRAWL_MIN_HOST_DELAY_MILLIS.
SETTING = "KUBECRAWL_MIN_HOST_DELAY_MILLIS"


class MinimumHostDelay:
    """Keeps at least the job's minimum delay between the starts of two requests to one host."""

    def __init__(self, crawler, minimum):
        self.crawler = crawler
        #: Seconds, as Scrapy's delays are.
        self.minimum = minimum
        self._other_slots_logged = False

    @classmethod
    def from_crawler(cls, crawler):
        millis = crawler.settings.getint(SETTING, 0)
        if millis <= 0:
            raise NotConfigured("no minimum host delay: the spider's own DOWNLOAD_DELAY applies")
        extension = cls(crawler, millis / 1000.0)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.request_reached_downloader,
                                signal=signals.request_reached_downloader)
        return extension

    def spider_opened(self, spider):
        own = getattr(spider, "download_delay", self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
        spider.download_delay = max(own, self.minimum)
        for slot in self.crawler.engine.downloader.slots.values():
            self._floor(slot)
        logger.info("Kubecrawl: at least %d ms between two requests to one host (the spider's download "
                    "delay: %.3f s)", round(self.minimum * 1000), own)

    def request_reached_downloader(self, request, spider):
        downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT)
        slot = downloader.slots.get(key)
        if slot is not None:
            self._floor(slot)
        host = urlparse_cached(request).hostname or ""
        if key != host and not downloader.ip_concurrency and not self._other_slots_logged:
            self._other_slots_logged = True
            logger.warning("Kubecrawl: request %s is in download slot %r, not its host's: the minimum delay "
                           "holds per download slot, so a host spread over several slots may see its requests "
                           "closer together", request.url, key)

    def _floor(self, slot):
        """Makes the slot's delay, as the downloader reads it, never less than the minimum."""
        if getattr(slot, _FLOORED, False):
            return
        drawn = slot.download_delay
        minimum = self.minimum
        # An attribute of this slot object only: the downloader calls slot.download_delay() before each start.
        slot.download_delay = lambda: max(drawn(), minimum)
        setattr(slot, _FLOORED, True)


#: Marks a slot whose delay is floored already (the downloader drops idle slots and makes new ones).
_FLOORED = "_kubecrawl_min_host_delay"
