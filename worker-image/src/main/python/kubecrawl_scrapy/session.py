"""A Scrapy process that serves batch after batch for the Kubecrawl agent.

The agent starts the spider with ``KUBECRAWL_AGENT_SOCKET``, the path of a Unix socket it listens
on. This extension connects to it when the crawler is built and speaks the session protocol: one
JSON object per line (see docs/worker-environment.md).

* The extension says how many batches it would run at once now: ``{"type": "accepts", "batches":
  n}``. That is one more than it runs once every request of its batches has gone to the
  downloader (only their last pages are being fetched), up to ``KUBECRAWL_SESSION_BATCHES``
  (default 2; 1 turns the overlap off); otherwise as many as it runs. So the next batch arrives
  for the tail of the last one, and never holds up a batch that has requests still waiting.
* The first batch is the one in the environment (``KUBECRAWL_BATCH``, ``KUBECRAWL_BATCH_FILE``,
  ``KUBECRAWL_ITEMS_FILE``, ``KUBECRAWL_DISCOVERED_FILE``); every later one arrives from the agent as
  ``{"type": "batch", "batch": "0/18", "attempt": 1, "requests_file": ..., "items_file": ...,
  "discovered_file": ...}``, possibly while another still runs (``discovered_file`` in Frontier
  mode only: see ``kubecrawl_scrapy.discovered``).
* A batch is done when it has no request left, neither waiting nor in progress, including every
  request its responses led to that stayed in the process (``BatchTracker``). Its items file is
  then flushed and closed, its discovered requests file (Frontier mode) put in place, and only then
  does the extension send ``{"type": "done", "batch": ..., "attempt": ..., "items": n,
  "discovered": m}``.
  Between batches it raises ``DontCloseSpider`` to wait for the next one.
* A batch that cannot run (a malformed requests file, an items file that cannot be written) gets
  ``{"type": "failed", "batch": ..., "attempt": ..., "error": ...}``; the process carries on.
* ``{"type": "finish"}`` closes the spider and the process exits 0. If the agent goes away, the
  spider is closed as well.
"""

import json
import logging
import socket
from dataclasses import dataclass

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.pqueues import DownloaderAwarePriorityQueue
from twisted.internet.protocol import Factory
from twisted.protocols.basic import LineReceiver

from kubecrawl_scrapy.batch import BatchFileError, BatchRequests, read_requests
from kubecrawl_scrapy.discovered import discovery_of
from kubecrawl_scrapy.inflight import TAG, BatchTracker, batch_of
from kubecrawl_scrapy.itemsfile import ItemsFile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assignment:
    """A batch as the agent hands it over: which attempt, and its files (``discovered_file`` only in
    Frontier mode)."""

    batch: str
    attempt: int
    requests_file: str
    items_file: str
    discovered_file: str = ""

    @property
    def key(self):
        """Names this attempt among the session's batches, and in its requests' ``meta``."""
        return f"{self.batch}#{self.attempt}"


class RunningBatch:
    """A batch the session has started and not yet reported: its items file, and why it broke."""

    def __init__(self, assignment, items):
        self.assignment = assignment
        self.items = items
        #: Why the batch failed while it ran (its items could not be written), or None.
        self.broken = None


class BatchSession:
    """The Scrapy extension that runs the session (see the module's description)."""

    def __init__(self, crawler, first, capacity):
        self.crawler = crawler
        self.first = first
        #: How many batches may run at once, as configured.
        self.capacity = capacity
        #: What the agent was last told (``accepts``).
        self.announced = None
        self.spider = None
        self.agent = None
        self.tracker = None
        #: The batches started and not yet reported, by ``Assignment.key``.
        self.running = {}
        self.finishing = False
        #: The Frontier mode's middleware, or None: requests stay in the process.
        self.discovery = None
        #: Whether the scheduler hands out the host with the fewest downloads first.
        self.downloader_aware = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        path = settings.get("KUBECRAWL_AGENT_SOCKET")
        if not path:
            raise NotConfigured("no KUBECRAWL_AGENT_SOCKET: one batch per process")
        first = Assignment(
            batch=settings.get("KUBECRAWL_BATCH", ""),
            attempt=settings.getint("KUBECRAWL_BATCH_ATTEMPT", 1),
            requests_file=settings.get("KUBECRAWL_BATCH_FILE"),
            items_file=settings.get("KUBECRAWL_ITEMS_FILE"),
            discovered_file=settings.get("KUBECRAWL_DISCOVERED_FILE", ""),
        )
        session = cls(crawler, first, max(1, settings.getint("KUBECRAWL_SESSION_BATCHES", 2)))
        session.connect(path)
        crawler.signals.connect(session.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(session.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(session.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
        return session

    def connect(self, path):
        """Connects at once, so that an agent that is not there fails the start, not a later batch."""
        from twisted.internet import reactor

        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            unix.connect(path)
            # Twisted takes a duplicate of the descriptor; ours is closed below.
            reactor.adoptStreamConnection(unix.fileno(), socket.AF_UNIX, _AgentFactory(self))
        finally:
            unix.close()

    # Signals.

    def spider_opened(self, spider):
        self.spider = spider
        # The middlewares exist by now: they are built with the engine, before the spider opens.
        self.discovery = discovery_of(self.crawler)
        self.tracker = BatchTracker(self.crawler.engine, self.settled, lambda key: self.announce(),
                                    self.announce)
        self.tracker.install()
        scheduler = self.crawler.engine.slot.scheduler
        self.downloader_aware = isinstance(getattr(scheduler, "mqs", None), DownloaderAwarePriorityQueue)
        if not self.tracker.separate_filters:
            # One duplicate filter for the whole process: batches must not overlap, or one would
            # forget what the other has followed.
            self.capacity = 1
        self.start(self.first)
        self.announce()

    def spider_idle(self, spider):
        # Nothing at all is left to do, so every batch whose requests are scheduled is done; the
        # tracker normally said so already.
        for key in [key for key in self.running if not self.tracker.scheduling(key)]:
            self.tracker.close(key)
            self.settled(key)
        if not self.finishing:
            raise DontCloseSpider

    def item_scraped(self, item, response, spider):
        running = self.running.get(batch_of(response))
        if running is None and len(self.running) == 1:
            # A request without a tag (a project middleware built a new one): no batch settles while
            # such a request is outstanding, so the batch that was running when it was made is
            # still running, and with one running the item can only be that batch's.
            running = next(iter(self.running.values()))
        if running is None:
            self.unattributable(item)
            return
        try:
            running.items.write(item)
        except Exception as failed:  # the batch must not claim items it did not write
            if running.broken is None:
                running.broken = f"cannot write an item to {running.assignment.items_file}: {failed}"
            logger.error("Kubecrawl batch %s: %s", running.assignment.batch, running.broken)

    def unattributable(self, item):
        """An item whose request names no batch while several run: it could be any of theirs. They
        all fail (their retries crawl it again, so nothing is lost), and batches no longer overlap in
        this process, so that the retries can succeed."""
        logger.error(
            "Kubecrawl session: an item whose request carries no batch (meta %r) arrived while batches "
            "%s ran; they fail and this process runs one batch at a time from now on. A middleware "
            "or pipeline that makes requests should copy their meta from the response's: %r",
            TAG, ", ".join(self.running) or "none", item,
        )
        for other in self.running.values():
            other.broken = other.broken or (
                "an item arrived whose request named no batch, while several batches ran")
        self.capacity = 1
        self.announce()

    def announce(self):
        """Tells the agent how many batches to hand over now (see the module's description)."""
        if self.tracker is None:
            return
        tails_only = all(self.tracker.all_started(key) for key in self.running)
        room = tails_only or self._downloader_idles()
        batches = min(self.capacity, len(self.running) + 1) if room else max(1, len(self.running))
        if batches != self.announced:
            self.announced = batches
            self.send({"type": "accepts", "batches": batches})

    def _downloader_idles(self):
        """Whether the downloader transfers fewer requests than it may while no host that has requests
        waiting could take one more: the batches running cannot use the rest, because every one of
        their requests still waiting is for a host at its own limit (a batch is one host's, under Host
        partitioning). Only with a scheduler that hands out the host with the fewest downloads first
        (``DownloaderAwarePriorityQueue``): Scrapy's default, last in first out, would let the next
        batch's requests go before the waiting ones of the batches running, and hold those up."""
        if not self.downloader_aware:
            return False
        downloader = self.crawler.engine.downloader
        transferring = 0
        for slot in downloader.slots.values():
            transferring += len(slot.transferring)
            if slot.free_transfer_slots() > 0 and len(slot.active) > len(slot.transferring):
                return False
        return transferring < downloader.total_concurrency

    def spider_closed(self, spider, reason):
        self.finishing = True
        for key, running in list(self.running.items()):
            # Closed mid-batch (a signal, or the agent went away): the batch is not reported, and the
            # agent discards its items.
            logger.info(
                "Kubecrawl batch %s: not finished, the spider closed (%s)", running.assignment.batch, reason
            )
            running.items.close_quietly()
            self._discard_discovered(key)
            self.tracker.close(key)
        self.running.clear()
        if self.agent is not None:
            self.agent.transport.loseConnection()

    # Messages from the agent.

    def received(self, message):
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "batch":
            self.start(
                Assignment(
                    batch=str(message.get("batch", "")),
                    attempt=int(message.get("attempt", 1)),
                    requests_file=message["requests_file"],
                    items_file=message["items_file"],
                    discovered_file=message.get("discovered_file") or "",
                )
            )
            self.announce()
        elif kind == "finish":
            self.finishing = True
            self.crawler.engine.close_spider(self.spider, "finished")
        else:
            logger.error("Kubecrawl session: unexpected message from the agent: %r", message)

    def agent_gone(self, reason):
        self.agent = None
        if not self.finishing and self.spider is not None:
            logger.error("Kubecrawl session: the agent closed the connection (%s); closing", reason)
            self.finishing = True
            self.crawler.engine.close_spider(self.spider, "kubecrawl_agent_gone")

    # Batches.

    def start(self, assignment):
        if assignment.key in self.running:
            # Answering "failed" would be taken for the running attempt's own failure.
            logger.error("Kubecrawl session: batch %s (attempt %d) was handed over again while it "
                         "runs; ignored", assignment.batch, assignment.attempt)
            return
        if len(self.running) >= self.capacity:
            self.send_failed(assignment, f"the session already runs {len(self.running)} batches "
                             f"({', '.join(self.running)}) and accepts {self.capacity}")
            return
        if self.discovery is not None and not assignment.discovered_file:
            self.send_failed(assignment, "Frontier mode (KUBECRAWL_DISCOVERED): the batch names no "
                             "discovered requests file")
            return
        try:
            requests = BatchRequests(read_requests(assignment.requests_file, self.spider))
        except (BatchFileError, OSError) as malformed:
            self.send_failed(assignment, str(malformed))
            return
        try:
            items = ItemsFile(assignment.items_file, self.crawler.settings)
        except Exception as unwritable:  # whatever it is, the agent must hear of it, or it waits forever
            self.send_failed(assignment, f"cannot write the items file: {unwritable!r}")
            return
        if self.discovery is not None:
            try:
                self.discovery.open(assignment.key, assignment.discovered_file)
            except OSError as unwritable:
                items.close_quietly()
                self.send_failed(assignment, f"cannot write the discovered requests file: {unwritable}")
                return
        self.running[assignment.key] = RunningBatch(assignment, items)
        self.tracker.open(assignment.key)
        if not self.tracker.separate_filters:
            self._forget_seen_requests()
        # The middleware's words, so that a log reads the same with or without a session.
        logger.info(
            "Kubecrawl batch: %d start requests from %s", len(requests), assignment.requests_file
        )
        chain = self.crawler.engine.scraper.spidermw.process_start_requests(requests, self.spider)
        chain.addCallback(self._crawl, assignment)
        chain.addErrback(self._chain_failed, assignment)

    def _crawl(self, requests, assignment):
        # Collected first: a project middleware that raises half-way must not leave half a batch
        # running.
        collected = list(requests)
        for request in collected:
            request.meta[TAG] = assignment.key
            self.crawler.engine.crawl(request)
        self.tracker.scheduled(assignment.key)

    def _chain_failed(self, failure, assignment):
        self.tracker.close(assignment.key)
        running = self.running.pop(assignment.key, None)
        if running is not None:
            running.items.close_quietly()
        self._discard_discovered(assignment.key)
        self.announce()
        self.send_failed(assignment, f"the spider middlewares failed on the batch's requests: {failure.value!r}")

    def settled(self, key):
        if key not in self.running:
            return
        try:
            self.finish_batch(key)
        except Exception as unexpected:  # raised into Scrapy's callbacks it would be lost: say it
            running = self.running.pop(key, None)
            self._discard_discovered(key)
            if running is not None:
                running.items.close_quietly()
                self.announce()
                self.send_failed(running.assignment, f"cannot finish the batch: {unexpected!r}")

    def finish_batch(self, key):
        running = self.running.pop(key)
        assignment = running.assignment
        try:
            running.items.close()
        except OSError as unwritable:
            running.broken = running.broken or f"cannot write the items file: {unwritable}"
        discovered = 0
        if self.discovery is not None:
            if running.broken is not None:
                self._discard_discovered(key)
            else:
                try:
                    discovered = self.discovery.close(key)
                except OSError as unwritable:
                    running.broken = f"cannot write the discovered requests file: {unwritable}"
        # Before the outcome: the agent, reading in order, knows whether to lease again once it has it.
        self.announce()
        if running.broken is not None:
            self.send_failed(assignment, running.broken)
            return
        done = {"type": "done", "batch": assignment.batch, "attempt": assignment.attempt,
                "items": running.items.count}
        if self.discovery is None:
            logger.info("Kubecrawl batch %s: done, %d items", assignment.batch, running.items.count)
        else:
            done["discovered"] = discovered
            logger.info("Kubecrawl batch %s: done, %d items, %d requests for the frontier",
                        assignment.batch, running.items.count, discovered)
        self.send(done)

    def _discard_discovered(self, key):
        if self.discovery is not None:
            self.discovery.discard(key)

    def send_failed(self, assignment, error):
        logger.error("Kubecrawl batch %s failed: %s", assignment.batch, error)
        self.send({"type": "failed", "batch": assignment.batch, "attempt": assignment.attempt,
                   "error": error})

    def send(self, message):
        if self.agent is not None:
            self.agent.sendLine(json.dumps(message).encode("utf-8"))

    def _forget_seen_requests(self):
        """With a duplicate filter the tracker cannot split by batch, batches run one at a time and
        the filter is emptied before each: a page another batch (or an earlier attempt of this one)
        already followed is followed again, or this batch's items would lack it. A filter without a
        ``fingerprints`` set is left alone."""
        scheduler = getattr(getattr(self.crawler.engine, "slot", None), "scheduler", None)
        seen = getattr(getattr(scheduler, "df", None), "fingerprints", None)
        if isinstance(seen, set):
            seen.clear()


class _AgentConnection(LineReceiver):
    delimiter = b"\n"

    def __init__(self, session):
        self.session = session

    def connectionMade(self):
        self.session.agent = self

    def lineReceived(self, line):
        if not line.strip():
            return
        try:
            message = json.loads(line)
        except ValueError:
            logger.error("Kubecrawl session: the agent sent a line that is not JSON: %r", line[:200])
            return
        self.session.received(message)

    def connectionLost(self, reason):
        self.session.agent_gone(reason.getErrorMessage())


class _AgentFactory(Factory):
    def __init__(self, session):
        self.session = session

    def buildProtocol(self, addr):
        return _AgentConnection(self.session)
