#!/usr/bin/env python3
"""A site laid out like quotes.toscrape.com, served on loopback for images/run.sh: /tag/NAME/ holds QUOTES quotes
(div.quote with span.text, small.author, a.tag) and no "next" link, so every seed is one page and its items are
known in advance: "Quote Q of tag NAME".

    quotes_site.py PORT [QUOTES]
"""
import http.server
import re
import sys

PORT = int(sys.argv[1])
QUOTES = int(sys.argv[2]) if len(sys.argv) > 2 else 10
TAG = re.compile(r"^/tag/([a-z0-9-]+)/$")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        match = TAG.match(self.path)
        if match:
            tag = match.group(1)
            quotes = "".join(
                f'<div class="quote"><span class="text">\u201cQuote {q} of tag {tag}\u201d</span>'
                f'<small class="author">Author {q}</small><a class="tag" href="/tag/{tag}/">{tag}</a></div>'
                for q in range(1, QUOTES + 1))
            self.answer(200, f"<html><body>{quotes}</body></html>")
        else:
            self.answer(404, "not found")

    def answer(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("quotes site: %s\n" % (format % args))


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
