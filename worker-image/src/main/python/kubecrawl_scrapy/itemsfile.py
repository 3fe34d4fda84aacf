"""One batch's items file, written while the batch runs in a session process."""

from scrapy.exporters import JsonLinesItemExporter


class ItemsFile:
    """The items of one batch as JSON lines, written the way the helper's ``jsonlines`` feed writes
    them (UTF-8, ``FEED_EXPORT_FIELDS`` honoured). The file is truncated when opened: an attempt's
    file holds that attempt's items only."""

    def __init__(self, path, settings):
        self.path = path
        self.count = 0
        self._file = open(path, "wb")
        self._exporter = JsonLinesItemExporter(
            self._file,
            encoding="utf8",
            fields_to_export=settings.getlist("FEED_EXPORT_FIELDS") or None,
        )
        self._exporter.start_exporting()

    def write(self, item):
        self._exporter.export_item(item)
        self.count += 1

    def close(self):
        """Flushes and closes the file: after this the agent may upload it."""
        if self._file.closed:
            return
        try:
            self._exporter.finish_exporting()
            self._file.flush()
        finally:
            self._file.close()

    def close_quietly(self):
        """Closes the file of a batch that will not be reported: its content no longer matters."""
        try:
            self.close()
        except OSError:
            pass
