#!/usr/bin/env bash
# Crawl benchmark (outside the test suite): pages per second with 1, 2 and 4 worker processes against a site served
# on loopback, plain `scrapy crawl` over the same URLs, the agent's overhead per batch, and the frontier's
# lease+complete rate in-process; then plain scrapy and 1, 2 and 4 workers again against the site answering after
# 500 ms, as a remote site does (not CPU-bound). 3,200 pages each; the spider's project and the seeds are uploaded
# as its bundle (seedsFrom.bundleFile). Needs Debian's Scrapy (/usr/bin/scrapy). Prints its figures.
# PAGES_PER_HOST (default 800, 4 hosts) sets the crawl's size.
set -euo pipefail
cd "$(dirname "$0")/../.."

# -am installs the parent POM too: the operator's build below resolves the installed modules through it, and on a fresh
# machine it is nowhere else.
./mvnw -B -q -pl crds,protocol,worker-image -am install -DskipTests
# The machine's other load skews every figure: say what it was.
echo "load average before: $(cat /proc/loadavg)"
log="$(mktemp)"
if ! ./mvnw -B -pl operator test -Dtest=CrawlBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dcrawl-benchmark.pages-per-host="${PAGES_PER_HOST:-800}" > "$log" 2>&1; then
  echo "the benchmark failed; the end of its output ($log):"
  grep -E '^\[ERROR\]' "$log" | head -20
  exit 1
fi
grep -E '^(====|plain scrapy|kubecrawl,|agent overhead|frontier round)' "$log"
rm -f "$log"
echo "load average after: $(cat /proc/loadavg)"
