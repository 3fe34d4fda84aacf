"""Kubecrawl's Scrapy helper: runs an unmodified Scrapy project on one batch of a Kubecrawl crawl.

The worker agent (``kubecrawl-worker run``) switches it on for a Scrapy spider by setting::

    PYTHONPATH=/opt/kubecrawl/python[:...]
    SCRAPY_SETTINGS_MODULE=kubecrawl_scrapy.settings

``kubecrawl_scrapy.settings`` loads the project's own settings and adds two things: the spider
middleware ``kubecrawl_scrapy.middlewares.BatchStartRequests``, which replaces the spider's start
requests with the batch's (``KUBECRAWL_BATCH_FILE``), and a feed that writes every item to
``KUBECRAWL_ITEMS_FILE`` as JSON lines.

Sessions: one process, many batches
-----------------------------------

Starting Python, Twisted and Scrapy takes one to two seconds, longer than many batches take to
crawl. So the agent also sets ``KUBECRAWL_AGENT_SOCKET``, the path of a Unix socket it listens on
for this process. With it, ``kubecrawl_scrapy.settings`` adds the extension
``kubecrawl_scrapy.session.BatchSession`` instead of the feed: it connects to the socket and keeps
the process for batch after batch. The protocol is one JSON object per line:

agent to spider
    ``{"type": "batch", "batch": "0/18", "attempt": 1, "requests_file": "...", "items_file": "...",
    "discovered_file": "..."}`` (the next batch; the first one is the batch in the environment;
    ``discovered_file`` only in Frontier mode, below), and ``{"type": "finish"}`` (no more work:
    close the spider and exit 0).
spider to agent
    ``{"type": "accepts", "batches": n}``: how many batches to hand over now (one more than it
    runs once every request of its batches has gone to the downloader, or while the downloader
    has room that no host with requests waiting can use, up to
    ``KUBECRAWL_SESSION_BATCHES``, default 2); ``{"type": "done", "batch": "0/18", "attempt": 1,
    "items": 42, "discovered": 7}`` once every request of the batch, and every request they led
    to, is finished and the batch's items file (and discovered requests file) is flushed and
    closed; or ``{"type": "failed", "batch": ..., "attempt": ..., "error": "..."}`` when the batch
    cannot run (a malformed requests file).

Discovered requests: the frontier or the process
------------------------------------------------

With ``KUBECRAWL_DISCOVERED=Frontier`` (the agent passes on what the operator set), the requests
a spider yields do not go to this process's scheduler: the spider middleware
``kubecrawl_scrapy.discovered.DiscoveredRequests`` writes each to the batch's discovered requests
file (``KUBECRAWL_DISCOVERED_FILE``, or ``discovered_file`` in a session's ``batch`` message), and
the agent sends them to the operator with the batch's items; the operator leases them in later
batches, possibly to other workers, where ``batch.py`` turns each back into the same request
(callback, errback, ``cb_kwargs``, ``meta`` with its ``depth``, headers, body). A batch is then
done when its own requests are; what it discovered does not extend it. A request whose ``meta``
has ``kubecrawl_local`` (``LOCAL_META``) set true stays in the process and is part of the batch,
as every request is with ``Local``, the default.

The agent uploads a batch's items only after ``done`` for that batch and attempt; if the process
dies or the connection breaks mid-batch, its batches fail with the exit code and the end of
stderr, and the next batch starts a new process. Each batch has a duplicate filter of its own
(``inflight.BatchTracker``), so it crawls what it would crawl in a process of its own. What the
spider object, the cookie jar, the stats and the close-spider limits (``CLOSESPIDER_*``) hold is
shared by every batch of the process.
"""

#: The file with the batch's requests, one per line: a URL or a JSON object with a "url".
BATCH_FILE_ENV = "KUBECRAWL_BATCH_FILE"
#: The file the items go to, as JSON lines; the agent uploads it when the spider exits 0.
ITEMS_FILE_ENV = "KUBECRAWL_ITEMS_FILE"
#: The batch, "<slot>/<number>", and the attempt at it, of the first batch a process runs.
BATCH_ENV = "KUBECRAWL_BATCH"
BATCH_ATTEMPT_ENV = "KUBECRAWL_BATCH_ATTEMPT"
#: The agent's Unix socket: set, the process serves a session of batches (see above).
AGENT_SOCKET_ENV = "KUBECRAWL_AGENT_SOCKET"
#: A settings module the pod chose itself (it had SCRAPY_SETTINGS_MODULE set): the helper wraps
#: it instead of the one scrapy.cfg names.
PROJECT_SETTINGS_ENV = "KUBECRAWL_SCRAPY_PROJECT_SETTINGS"
#: Where the requests a spider yields go: "Frontier" (to the job's frontier, through the discovered
#: requests file) or "Local" (this process's scheduler, as part of the batch; the default). The Java
#: side names it in io.kubecrawl.protocol.DiscoveryMode.
DISCOVERED_ENV = "KUBECRAWL_DISCOVERED"
FRONTIER = "Frontier"
LOCAL = "Local"
#: In Frontier mode: the file the batch's discovered requests go to, one JSON object per line
#: (see kubecrawl_scrapy.discovered). The agent reads it only once the batch is done.
DISCOVERED_FILE_ENV = "KUBECRAWL_DISCOVERED_FILE"
#: The least time in milliseconds between the starts of two requests to one host (the job's
#: spec.frontier.minHostDelayMillis, passed on by the agent); 0 or unset: the spider's own delay. See
#: kubecrawl_scrapy.hostdelay.
MIN_HOST_DELAY_ENV = "KUBECRAWL_MIN_HOST_DELAY_MILLIS"
#: The ``Request.meta`` key that keeps a request in its process in Frontier mode:
#: ``scrapy.Request(url, meta={"kubecrawl_local": True})`` is fetched here, as part of the batch.
LOCAL_META = "kubecrawl_local"
#: The key that marks a batch line as a discovered request the helper serialised (its value is the
#: format's version, 1), as opposed to a seed the user wrote.
REQUEST_MARKER = "kubecrawl_request"
