"""Reading a Kubecrawl batch file: one request per line, a URL or a JSON object."""

import json

import scrapy

from kubecrawl_scrapy.requestjson import MalformedRequest, decode_request, is_encoded_request

#: The keys of a JSON request line that become arguments of ``scrapy.Request``.
REQUEST_KEYS = ("method", "headers", "body", "meta", "cb_kwargs")


class BatchFileError(ValueError):
    """A line of the batch file is not a request."""


class BatchRequests(list):
    """A session's batch of requests on its way through the spider middlewares' start-request
    chain: ``BatchStartRequests`` lets these through instead of replacing them."""


def parse_line(line, number=0, spider=None):
    """The ``scrapy.Request`` of one batch line, or None for a blank line.

    A line is either a seed the user wrote: a URL, or a JSON object with a ``url`` and optionally
    ``method``, ``headers``, ``body``, ``meta`` and ``cb_kwargs``; or a request a spider discovered,
    as ``kubecrawl_scrapy.requestjson`` wrote it (marked ``"kubecrawl_request"``), which becomes the
    same request again, its callback and errback looked up on ``spider``. Every request bypasses
    the duplicate filter: the operator decided what the batch holds.
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
    if is_encoded_request(fields):
        try:
            return decode_request(fields, spider)
        except MalformedRequest as malformed:
            raise BatchFileError(f"line {number}: {malformed}") from None
    url = fields.get("url") if isinstance(fields, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise BatchFileError(f'line {number}: a JSON request needs a "url" string')
    arguments = {key: fields[key] for key in REQUEST_KEYS if fields.get(key) is not None}
    return scrapy.Request(url.strip(), dont_filter=True, **arguments)


def read_requests(path, spider=None):
    """The batch file's requests, in file order, read lazily; ``spider`` resolves the callbacks of
    discovered requests."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                request = parse_line(line, number, spider)
            except BatchFileError as malformed:
                raise BatchFileError(f"{path}, {malformed}") from None
            if request is not None:
                yield request
