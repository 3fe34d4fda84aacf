"""The project's spiders. Scrapy loads every module of this package (SPIDER_MODULES)."""
