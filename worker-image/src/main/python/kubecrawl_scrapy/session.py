"""A Scrapy process that serves batch after batch for the Kubecrawl agent.

The agent starts the spider with ``KUBECRAWL_AGENT_SOCKET``, the path of a Unix socket it listens
on. This extension connects to it when the crawler is built and speaks the session protocol: one
JSON object per line (see docs/worker-environment.md).

* The first batch is the one in the environment (``KUBECRAWL_BATCH``, ``KUBECRAWL_BATCH_FILE``,
  ``KUBECRAWL_ITEMS_FILE``); every later one arrives from the agent as
  ``{"type": "batch", "batch": "0/18", "attempt": 1, "requests_file": ..., "items_file": ...}``.
* A batch is done when the spider goes idle (``spider_idle``: its requests, and every request they
  led to, are finished). The batch's items file is then flushed and closed, and only then does the
  extension send ``{"type": "done", "batch": ..., "attempt": ..., "items": n}``; it raises
  ``DontCloseSpider`` to wait for the next batch.
* A batch that cannot run (a malformed requests file, an items file that cannot be written) gets
  ``{"type": "failed", "batch": ..., "attempt": ..., "error": ...}``; the process waits for the
  next one.
* ``{"type": "finish"}`` closes the spider and the process exits 0. If the agent goes away, the
  spider is closed as well.
"""

import json
import logging
import socket
from dataclasses import dataclass

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.protocol import Factory
from twisted.protocols.basic import LineReceiver

from kubecrawl_scrapy.batch import BatchFileError, BatchRequests, read_requests
from kubecrawl_scrapy.itemsfile import ItemsFile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assignment:
    """A batch as the agent hands it over: which attempt, and its two files."""

    batch: str
    attempt: int
    requests_file: str
    items_file: str


class BatchSession:
    """The Scrapy extension that runs the session (see the module's description)."""

    def __init__(self, crawler, first):
        self.crawler = crawler
        self.first = first
        self.spider = None
        self.agent = None
        #: The batch in flight and its items file, or None while waiting for the agent.
        self.current = None
        self.items = None
        #: Why the batch in flight failed while it ran (its items could not be written), or None.
        self.broken = None
        #: The batch's requests are on their way to the engine: an idle spider is not done yet.
        self.scheduling = False
        self.finishing = False

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
        )
        session = cls(crawler, first)
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
        self.start(self.first)

    def spider_idle(self, spider):
        if self.current is not None and not self.scheduling:
            self.finish_batch()
        if not self.finishing:
            raise DontCloseSpider

    def item_scraped(self, item, response, spider):
        if self.current is None:
            logger.error("Kubecrawl session: an item arrived outside any batch and is dropped: %r", item)
            return
        try:
            self.items.write(item)
        except Exception as failed:  # the batch must not claim items it did not write
            if self.broken is None:
                self.broken = f"cannot write an item to {self.current.items_file}: {failed}"
            logger.error("Kubecrawl batch %s: %s", self.current.batch, self.broken)

    def spider_closed(self, spider, reason):
        self.finishing = True
        if self.current is not None:
            # Closed mid-batch (a signal, or the agent went away): the batch is not reported, and the
            # agent discards its items.
            logger.info("Kubecrawl batch %s: not finished, the spider closed (%s)", self.current.batch, reason)
            self._close_items()
            self.current = None
        if self.agent is not None:
            self.agent.transport.loseConnection()

    # Messages from the agent.

    def received(self, message):
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "batch" and self.current is None:
            self.start(
                Assignment(
                    batch=str(message.get("batch", "")),
                    attempt=int(message.get("attempt", 1)),
                    requests_file=message["requests_file"],
                    items_file=message["items_file"],
                )
            )
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
        try:
            requests = BatchRequests(read_requests(assignment.requests_file))
        except (BatchFileError, OSError) as malformed:
            self.send_failed(assignment, str(malformed))
            return
        try:
            self.items = ItemsFile(assignment.items_file, self.crawler.settings)
        except Exception as unwritable:  # whatever it is, the agent must hear of it, or it waits forever
            self.send_failed(assignment, f"cannot write the items file: {unwritable!r}")
            return
        self.current = assignment
        self.broken = None
        self._forget_seen_requests()
        # The middleware's words, so that a log reads the same with or without a session.
        logger.info(
            "Kubecrawl batch: %d start requests from %s", len(requests), assignment.requests_file
        )
        if not requests:
            self.finish_batch()
            return
        self.scheduling = True
        chain = self.crawler.engine.scraper.spidermw.process_start_requests(requests, self.spider)
        chain.addCallback(self._crawl, assignment)
        chain.addErrback(self._chain_failed, assignment)

    def _crawl(self, requests, assignment):
        # Collected first: a project middleware that raises half-way must not leave half a batch
        # running.
        collected = list(requests)
        self.scheduling = False
        for request in collected:
            self.crawler.engine.crawl(request)
        if not collected:
            self.finish_batch()

    def _chain_failed(self, failure, assignment):
        self.scheduling = False
        self._close_items()
        self.current = None
        self.send_failed(assignment, f"the spider middlewares failed on the batch's requests: {failure.value!r}")

    def finish_batch(self):
        assignment, self.current = self.current, None
        try:
            self.items.close()
        except OSError as unwritable:
            self.broken = self.broken or f"cannot write the items file: {unwritable}"
        if self.broken is not None:
            self.send_failed(assignment, self.broken)
            return
        logger.info("Kubecrawl batch %s: done, %d items", assignment.batch, self.items.count)
        self.send({"type": "done", "batch": assignment.batch, "attempt": assignment.attempt,
                   "items": self.items.count})

    def send_failed(self, assignment, error):
        logger.error("Kubecrawl batch %s failed: %s", assignment.batch, error)
        self.send({"type": "failed", "batch": assignment.batch, "attempt": assignment.attempt,
                   "error": error})

    def send(self, message):
        if self.agent is not None:
            self.agent.sendLine(json.dumps(message).encode("utf-8"))

    def _close_items(self):
        if self.items is not None:
            try:
                self.items.close()
            except OSError:
                pass

    def _forget_seen_requests(self):
        """Each batch is crawled as if by a process of its own: a page another batch (or an earlier
        attempt of this one) already followed is followed again, or this batch's items would lack
        it. The duplicate filter is Scrapy's scheduler's; a filter without a ``fingerprints`` set is
        left alone."""
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
