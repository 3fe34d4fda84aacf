"""A small Scrapy project that collects quotes, used as the Kubecrawl example spider."""
