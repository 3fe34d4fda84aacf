"""Scrapy settings that wrap a project's own settings for one Kubecrawl batch.

Scrapy imports this module because the agent sets ``SCRAPY_SETTINGS_MODULE`` to it. It finds
the project the way Scrapy itself does (``scrapy.cfg`` in the working directory or a parent,
its ``[settings]`` entry, the project directory on ``sys.path``), takes every setting of the
project's settings module, and then adds the batch's start requests and the items feed. Settings
given on the command line (``-s NAME=VALUE``) still win over all of these, as in any project.

With ``KUBECRAWL_AGENT_SOCKET`` set, it adds the session extension instead of the feed: the
process serves batch after batch, each batch's items going to that batch's own file.

With ``KUBECRAWL_DISCOVERED=Frontier`` it adds the spider middleware
``kubecrawl_scrapy.discovered.DiscoveredRequests``: the requests the spider yields go to the
batch's discovered requests file (``KUBECRAWL_DISCOVERED_FILE``), for the job's frontier, instead
of this process's scheduler, except those whose ``meta`` has ``KUBECRAWL_LOCAL_META``
(``"kubecrawl_local"``) set true. ``Local``, or the variable unset, keeps every request in the
process, as before.

With ``KUBECRAWL_MIN_HOST_DELAY_MILLIS`` above 0 it adds the extension
``kubecrawl_scrapy.hostdelay.MinimumHostDelay``, which raises the spider's download delay to that
minimum (never lowers it) and keeps it per host even against ``-s DOWNLOAD_DELAY=...``.
"""

import configparser
import importlib
import os
import sys
from pathlib import Path

from kubecrawl_scrapy import (
    AGENT_SOCKET_ENV,
    BATCH_ATTEMPT_ENV,
    BATCH_ENV,
    BATCH_FILE_ENV,
    DISCOVERED_ENV,
    DISCOVERED_FILE_ENV,
    FRONTIER,
    ITEMS_FILE_ENV,
    LOCAL,
    LOCAL_META,
    MIN_HOST_DELAY_ENV,
    PROJECT_SETTINGS_ENV,
)

#: Where our middleware sits among the spider middlewares: above every built-in one (the highest
#: is 900), so that it is the closest to the spider. Scrapy passes start requests from the spider
#: outwards, so the project's own middlewares still see, and may change, the batch's requests.
BATCH_START_REQUESTS_ORDER = 1000
#: The session extension's place among the extensions; it depends on none of them.
SESSION_ORDER = 500
#: Where the Frontier mode's middleware sits: below every built-in spider middleware (the lowest is
#: 50) and below the 0..1000 projects use, so that it is the last to see a callback's output, after
#: the project's middlewares, OffsiteMiddleware, RefererMiddleware, UrlLengthMiddleware and
#: DepthMiddleware (which sets ``meta["depth"]`` and applies DEPTH_LIMIT and DEPTH_PRIORITY): what
#: it sends to the frontier is what would have reached the scheduler.
DISCOVERED_REQUESTS_ORDER = -1000
#: The minimum host delay's place among the extensions: below AutoThrottle's (0), which reads the
#: spider's download delay as the spider opens and must read the raised one.
MINIMUM_HOST_DELAY_ORDER = -100


def _find_scrapy_cfg(start):
    """The closest scrapy.cfg in ``start`` or its parents, or None."""
    directory = Path(start).resolve()
    for candidate in (directory, *directory.parents):
        cfg = candidate / "scrapy.cfg"
        if cfg.is_file():
            return cfg
    return None


def _project_settings_module():
    """The name of the project's settings module, and puts the project directory on sys.path."""
    cfg = _find_scrapy_cfg(os.getcwd())
    if cfg is not None:
        project_dir = str(cfg.parent)
        if project_dir not in sys.path:
            # As Scrapy's own init_env does: appended, so that the project cannot shadow
            # installed packages.
            sys.path.append(project_dir)
    chosen = os.environ.get(PROJECT_SETTINGS_ENV, "").strip()
    if chosen:
        return chosen
    if cfg is None:
        # Not an ImportError: Scrapy would turn that into a warning and a puzzling
        # "unknown command".
        raise RuntimeError(
            f"kubecrawl_scrapy: no scrapy.cfg in {os.getcwd()} or its parents: "
            "run the spider in the Scrapy project's directory"
        )
    parser = configparser.ConfigParser()
    parser.read(cfg, encoding="utf-8")
    project = os.environ.get("SCRAPY_PROJECT", "default")
    if not parser.has_option("settings", project):
        raise RuntimeError(
            f"kubecrawl_scrapy: {cfg} has no '{project}' entry in its [settings] section"
        )
    return parser.get("settings", project).strip()


def _import_project_settings(name):
    try:
        return importlib.import_module(name)
    except ImportError as missing:
        raise RuntimeError(
            f"kubecrawl_scrapy: cannot import the project's settings module {name}: {missing}"
        ) from missing


_project = _import_project_settings(_project_settings_module())

# Everything Scrapy would read from the project's module: its upper-case names.
globals().update({name: value for name, value in vars(_project).items() if name.isupper()})

_batch_file = os.environ.get(BATCH_FILE_ENV, "").strip()
_items_file = os.environ.get(ITEMS_FILE_ENV, "").strip()
_agent_socket = os.environ.get(AGENT_SOCKET_ENV, "").strip()


def _discovery_mode():
    """Frontier or Local (the default), from KUBECRAWL_DISCOVERED, ignoring case."""
    value = os.environ.get(DISCOVERED_ENV, "").strip()
    for mode in (FRONTIER, LOCAL):
        if value.lower() == mode.lower():
            return mode
    if not value:
        return LOCAL
    raise RuntimeError(
        f"kubecrawl_scrapy: {DISCOVERED_ENV} is {value!r}; expected {FRONTIER} or {LOCAL}"
    )


#: Read by the middleware. Without a batch file (the project run by hand) nothing is replaced.
KUBECRAWL_BATCH_FILE = _batch_file

#: The ``Request.meta`` key that keeps a request in its process in Frontier mode (not a setting to
#: change: the helper always reads ``kubecrawl_scrapy.LOCAL_META``).
KUBECRAWL_LOCAL_META = LOCAL_META

#: Where the requests a spider yields go: Frontier or Local. Without a batch file (the project run
#: by hand) they stay local.
KUBECRAWL_DISCOVERED = _discovery_mode() if _batch_file else LOCAL
#: Frontier mode: the first batch's discovered requests file.
KUBECRAWL_DISCOVERED_FILE = os.environ.get(DISCOVERED_FILE_ENV, "").strip()

def _min_host_delay_millis():
    """KUBECRAWL_MIN_HOST_DELAY_MILLIS as a whole number of milliseconds, 0 when unset."""
    value = os.environ.get(MIN_HOST_DELAY_ENV, "").strip()
    if not value:
        return 0
    try:
        millis = int(value)
    except ValueError:
        millis = -1
    if millis < 0:
        raise RuntimeError(
            f"kubecrawl_scrapy: {MIN_HOST_DELAY_ENV} is {value!r}; expected a whole number of "
            "milliseconds, 0 or more"
        )
    return millis


#: Read by kubecrawl_scrapy.hostdelay.MinimumHostDelay: the least time between two requests to one
#: host, in milliseconds; 0 leaves the project's download delay alone.
KUBECRAWL_MIN_HOST_DELAY_MILLIS = _min_host_delay_millis()

EXTENSIONS = dict(getattr(_project, "EXTENSIONS", None) or {})
if KUBECRAWL_MIN_HOST_DELAY_MILLIS > 0:
    EXTENSIONS["kubecrawl_scrapy.hostdelay.MinimumHostDelay"] = MINIMUM_HOST_DELAY_ORDER

if KUBECRAWL_DISCOVERED == FRONTIER and not KUBECRAWL_DISCOVERED_FILE:
    raise RuntimeError(
        f"kubecrawl_scrapy: {DISCOVERED_ENV}={FRONTIER} needs {DISCOVERED_FILE_ENV}, the file the "
        "batch's discovered requests go to"
    )

if _batch_file:
    SPIDER_MIDDLEWARES = dict(getattr(_project, "SPIDER_MIDDLEWARES", None) or {})
    SPIDER_MIDDLEWARES["kubecrawl_scrapy.middlewares.BatchStartRequests"] = (
        BATCH_START_REQUESTS_ORDER
    )
    if KUBECRAWL_DISCOVERED == FRONTIER:
        SPIDER_MIDDLEWARES["kubecrawl_scrapy.discovered.DiscoveredRequests"] = (
            DISCOVERED_REQUESTS_ORDER
        )

#: Read by the middleware and the session extension: set, the process serves a session.
KUBECRAWL_AGENT_SOCKET = _agent_socket if _batch_file and _items_file else ""

if KUBECRAWL_AGENT_SOCKET:
    KUBECRAWL_BATCH = os.environ.get(BATCH_ENV, "").strip()
    KUBECRAWL_BATCH_ATTEMPT = os.environ.get(BATCH_ATTEMPT_ENV, "1").strip() or "1"
    KUBECRAWL_ITEMS_FILE = _items_file
    EXTENSIONS["kubecrawl_scrapy.session.BatchSession"] = SESSION_ORDER
    # A session runs the next batch beside the last (under Host partitioning, another host's): with
    # Scrapy's default queue, last in first out, the newer batch's requests would take every place
    # in the downloader and the host of the older one would idle. Handing out the host with the
    # fewest downloads first lets both hosts download at their limit. A project that chose its own
    # queue keeps it (the session then hands over the next batch only for the last one's tail).
    if (
        "SCHEDULER_PRIORITY_QUEUE" not in vars(_project)
        and not getattr(_project, "CONCURRENT_REQUESTS_PER_IP", 0)
    ):
        SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
    # No feed at all: one feed writes one file for the whole process, and each batch's items must
    # go to that batch's file. The session writes them; the project's feeds are replaced, as below.
    FEEDS = {}
elif _items_file:
    # Replaces the project's feeds: in a worker pod the items file is the one output that reaches
    # the job, and a second feed would only cost time (or fail on a read-only file system).
    FEEDS = {
        Path(_items_file).resolve().as_uri(): {
            "format": "jsonlines",
            "overwrite": True,
            "encoding": "utf8",
        }
    }
