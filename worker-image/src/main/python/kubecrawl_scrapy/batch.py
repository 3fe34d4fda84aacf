"""Reading a Kubecrawl batch file: one request per line, a URL or a JSON object."""

import json

import scrapy

#: The keys of a JSON request line that become arguments of ``scrapy.Request``.
REQUEST_KEYS = ("method", "headers", "body", "meta", "cb_kwargs")


class BatchFileError(ValueError):
    """A line of the batch file is not a request."""


class BatchRequests(list):
    """A session's batch of requests on its way through the spider middlewares' start-request
    chain: ``BatchStartRequests`` lets these through instead of replacing them."""


def parse_line(line, number=0):
    """The ``scrapy.Request`` of one batch line, or None for a blank line.

    A line is either a URL, or a JSON object with a ``url`` and optionally ``method``,
    ``headers``, ``body``, ``meta`` and ``cb_kwargs``. Every request bypasses the duplicate
    filter: the operator decided what the batch holds.
    """
    text = line.strip()
    if not text:
        return None
    if not text.startswith("{"):
        return scrapy.Request(text, dont_filter=True)
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as malformed:
        raise BatchFileError(f"line {number}: not a JSON object: {malformed}") from malformed
    url = fields.get("url") if isinstance(fields, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise BatchFileError(f'line {number}: a JSON request needs a "url" string')
    arguments = {key: fields[key] for key in REQUEST_KEYS if fields.get(key) is not None}
    return scrapy.Request(url.strip(), dont_filter=True, **arguments)


def read_requests(path):
    """The batch file's requests, in file order, read lazily."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                request = parse_line(line, number)
            except BatchFileError as malformed:
                raise BatchFileError(f"{path}, {malformed}") from None
            if request is not None:
                yield request
