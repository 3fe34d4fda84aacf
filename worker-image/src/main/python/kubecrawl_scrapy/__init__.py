"""Kubecrawl's Scrapy helper: runs an unmodified Scrapy project on one batch of a Kubecrawl crawl.

The worker agent (``kubecrawl-worker run``) switches it on for a Scrapy spider by setting::

    PYTHONPATH=/opt/kubecrawl/python[:...]
    SCRAPY_SETTINGS_MODULE=kubecrawl_scrapy.settings

``kubecrawl_scrapy.settings`` loads the project's own settings and adds two things: the spider
middleware ``kubecrawl_scrapy.middlewares.BatchStartRequests``, which replaces the spider's start
requests with the batch's (``KUBECRAWL_BATCH_FILE``), and a feed that writes every item to
``KUBECRAWL_ITEMS_FILE`` as JSON lines.
"""

#: The file with the batch's requests, one per line: a URL or a JSON object with a "url".
BATCH_FILE_ENV = "KUBECRAWL_BATCH_FILE"
#: The file the items go to, as JSON lines; the agent uploads it when the spider exits 0.
ITEMS_FILE_ENV = "KUBECRAWL_ITEMS_FILE"
#: A settings module the pod chose itself (it had SCRAPY_SETTINGS_MODULE set): the helper wraps
#: it instead of the one scrapy.cfg names.
PROJECT_SETTINGS_ENV = "KUBECRAWL_SCRAPY_PROJECT_SETTINGS"
