"""A Scrapy request as one JSON object, and back: how a discovered request travels through the frontier.

The object is what Scrapy's ``Request.to_dict(spider=spider)`` (``request_to_dict``) gives, made
JSON-safe, plus a marker::

    {"kubecrawl_request": 1,                       # the marker, and the format's version
     "url": "https://example.com/page/2/",
     "callback": "parse_page", "errback": null,     # names of the spider's methods (or null)
     "method": "GET",
     "headers": {"Referer": ["https://example.com/"]},
     "body": "",                                    # base64 of the body's bytes
     "cookies": {}, "meta": {"depth": 1}, "encoding": "utf-8", "priority": 0,
     "dont_filter": false, "flags": [], "cb_kwargs": {"page": 2},
     "_class": "scrapy.http.request.form.FormRequest"}   # only for a subclass of Request

* ``headers``: each name and value is the header's bytes as latin-1 text (every byte is one
  character, so nothing is lost), the values of a name in a list.
* ``body``: standard base64 of the bytes (padded).
* everything else (``meta``, ``cb_kwargs``, ``cookies``, ``flags``, ...) is JSON as it is; a
  ``bytes`` value anywhere in it is written ``{"$bytes": "<base64>"}``, and a tuple becomes a list.
  A value JSON cannot hold (an object, a dictionary key that is not a string, NaN) makes the
  request :class:`Unserializable`; so does a callback or errback that is not a method of the spider
  (a lambda, a function): Scrapy's ``to_dict`` cannot name it.
* ``meta`` loses ``kubecrawl_batch``: the batch a request was found in is not the one it runs in.

Reading it back (:func:`decode_request`) gives the same request, with ``dont_filter=True``: the
operator deduplicated it already, and a batch's requests all bypass the duplicate filter.
"""

import base64
import binascii
import json
import math

from scrapy.utils.request import request_from_dict

from kubecrawl_scrapy import REQUEST_MARKER
from kubecrawl_scrapy.inflight import TAG

#: The version of the format above, the value of the marker.
REQUEST_FORMAT = 1
#: How a ``bytes`` value inside ``meta``, ``cb_kwargs`` and the like is written.
BYTES_KEY = "$bytes"


class Unserializable(ValueError):
    """A request the format cannot carry."""


class MalformedRequest(ValueError):
    """A JSON object with the marker that is not a request in the format."""


def is_encoded_request(fields):
    """Whether a parsed batch line is a request this module wrote (not a seed the user wrote)."""
    return isinstance(fields, dict) and REQUEST_MARKER in fields


def encode_request(request, spider):
    """The request as the text of one JSON object on one line (pure ASCII).

    :raises Unserializable: see the module's description
    """
    try:
        fields = request.to_dict(spider=spider)
    except ValueError as not_a_method:
        raise Unserializable(str(not_a_method)) from None
    encoded = {REQUEST_MARKER: REQUEST_FORMAT}
    for key, value in fields.items():
        if key == "headers":
            encoded[key] = {
                _latin1(name): [_latin1(one) for one in (values or ())] for name, values in value.items()
            }
        elif key == "body":
            encoded[key] = base64.b64encode(value or b"").decode("ascii")
        elif key == "meta":
            encoded[key] = _json_safe({name: one for name, one in value.items() if name != TAG}, "meta")
        else:
            encoded[key] = _json_safe(value, key)
    try:
        return json.dumps(encoded, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as not_json:
        raise Unserializable(str(not_json)) from None


def decode_request(fields, spider):
    """The request an :func:`encode_request` object (already parsed) stands for, with
    ``dont_filter=True``; callback and errback are looked up on ``spider``.

    :raises MalformedRequest: not in the format, or naming a method the spider lacks
    """
    version = fields.get(REQUEST_MARKER)
    if version != REQUEST_FORMAT:
        raise MalformedRequest(
            f'a discovered request in format {version!r}; this helper reads format {REQUEST_FORMAT}'
        )
    if spider is None:
        raise MalformedRequest("a discovered request needs the spider, to find its callback")
    url = fields.get("url")
    if not isinstance(url, str) or not url:
        raise MalformedRequest('a discovered request needs a "url" string')
    decoded = {}
    for key, value in fields.items():
        if key == REQUEST_MARKER:
            continue
        if key == "headers":
            decoded[key] = _headers(value)
        elif key == "body":
            decoded[key] = _base64(value, "body")
        else:
            decoded[key] = _from_json_safe(value)
    decoded["dont_filter"] = True
    try:
        return request_from_dict(decoded, spider=spider)
    except Exception as unusable:  # whatever the class or the arguments make of it: the line is bad
        raise MalformedRequest(f"cannot make the request: {unusable}") from None


def _latin1(value):
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _json_safe(value, where):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unserializable(f"{where}: {value!r} is not a JSON number")
        return value
    if isinstance(value, (bytes, bytearray)):
        return {BYTES_KEY: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_json_safe(one, where) for one in value]
    if isinstance(value, dict):
        safe = {}
        for key, one in value.items():
            if not isinstance(key, str):
                raise Unserializable(f"{where}: the key {key!r} is not a string")
            safe[key] = _json_safe(one, f"{where}.{key}")
        return safe
    raise Unserializable(f"{where}: a value of type {type(value).__name__} is not JSON")


def _from_json_safe(value):
    if isinstance(value, list):
        return [_from_json_safe(one) for one in value]
    if isinstance(value, dict):
        if len(value) == 1 and BYTES_KEY in value:
            return _base64(value[BYTES_KEY], BYTES_KEY)
        return {key: _from_json_safe(one) for key, one in value.items()}
    return value


def _headers(value):
    if not isinstance(value, dict):
        raise MalformedRequest('"headers" is not an object')
    headers = {}
    for name, values in value.items():
        if not isinstance(values, list) or not all(isinstance(one, str) for one in values):
            raise MalformedRequest(f'the header {name!r} is not a list of strings')
        try:
            headers[name.encode("latin-1")] = [one.encode("latin-1") for one in values]
        except UnicodeEncodeError:
            raise MalformedRequest(f"the header {name!r} is not latin-1 text") from None
    return headers


def _base64(value, where):
    if not isinstance(value, str):
        raise MalformedRequest(f'"{where}" is not a base64 string')
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedRequest(f'"{where}" is not base64') from None
