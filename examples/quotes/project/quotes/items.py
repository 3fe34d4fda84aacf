"""What the quotes spider collects."""

import scrapy


class QuoteItem(scrapy.Item):
    """One quote as it appears on a listing page."""

    #: The quote itself, without the surrounding curly quotation marks.
    text = scrapy.Field()
    #: Name of the person the quote is attributed to.
    author = scrapy.Field()
    #: The quote's tags, in page order.
    tags = scrapy.Field()
    #: URL of the page the quote was found on.
    url = scrapy.Field()
