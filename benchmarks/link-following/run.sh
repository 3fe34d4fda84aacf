#!/usr/bin/env bash
# Link-following benchmark (outside the test suite and CI): crawls a generated site whose pages are found only by
# following links (LoopbackLinkGraphSite, operator test sources: 4 loopback hosts, PAGES pages, 5-10 links a page, the
# same site every run) with plain Scrapy in one process and with scrapy-redis in 1 and 4 processes, at 0 ms and 100 ms
# of site latency (LATENCIES_MS), then scrapy-redis in 4 processes at 100 ms with one SIGKILLed at 40% of the pages.
# For each it prints pages per second, the site's duplicate fetches and pages never fetched, the items missing from
# what the crawlers wrote, the crawlers' CPU seconds (and Redis's), and the most requests one host had at once.
# The Kubecrawl rows, 1 and 4 workers at each latency and the same fault case, run first, all in one Maven run of
# LinkGraphBenchmark (operator test sources): the operator on the fabric8 mock API server in one JVM, worker pods as
# local processes (agent and Scrapy helper, crawl.py's spider from kubecrawl-project), links through the job's frontier
# (spec.frontier.discovered Frontier), Host partitioning; see bench.py's run_kubecrawl(). Needs no cluster.
# KINDS (default "plain redis kubecrawl") picks crawlers, FAULT=0 skips the fault case, LEASES_PER_SLOT=N adds a
# Kubecrawl row of 4 workers at 100 ms with N leases per host slot, WORKERS and PROCESSES (default "1 4") pick the
# Kubecrawl and scrapy-redis rows' sizes, KUBECRAWL_BENCH_ARGS passes -Dlinkgraph.* settings.
#
# Needs: Debian's Scrapy (/usr/bin/python3, apt-get install python3-scrapy), Debian's Redis (apt-get install -y
# redis-server; no service needs to run: each run starts its own redis-server on a Unix socket), and pip access to
# PyPI for scrapy-redis, installed into a venv over Debian's Scrapy ($VENV, default ~/.cache/kubecrawl-linkgraph-bench).
# PAGES (default 20000) sets the site's size; WORK_DIR keeps the sites' files, logs and items (default: a temporary
# directory, removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in /usr/bin/python3 redis-server java; do
  command -v "$tool" > /dev/null || { echo "$tool is missing (see this script's header)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import scrapy' || { echo "Debian's Scrapy is missing: apt-get install python3-scrapy" >&2; exit 2; }

venv="${VENV:-$HOME/.cache/kubecrawl-linkgraph-bench/venv}"
if [ ! -x "$venv/bin/python" ]; then
  # --system-site-packages: scrapy-redis then runs on Debian's Scrapy 2.8, the very Scrapy of the plain runs.
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c 'import scrapy_redis' 2> /dev/null; then
  "$venv/bin/pip" install -q 'scrapy-redis==0.9.1'
fi

# The site runs from the operator's compiled test classes, the Kubecrawl rows' pods from the worker jar; building in
# the reactor resolves the sibling modules there, so nothing is installed into the local repository that other
# checkouts share.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl worker-image -am package -DskipTests
  ./mvnw -B -q -pl operator -am test-compile
fi

if [ -n "${WORK_DIR:-}" ]; then
  work="$WORK_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/link-following-bench.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi
"$venv/bin/python" benchmarks/link-following/bench.py "$work"
