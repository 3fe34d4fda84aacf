"""Link-following benchmark driver (run.sh sets it up and runs it with the venv's Python, which has scrapy-redis and
the redis client over Debian's Scrapy). Prints figures; it is not a test.

Each run gets a site of its own (LoopbackLinkGraphSite's main, the same seed, so the same site every time) and, for
scrapy-redis, a Redis of its own on a Unix socket, so that no run sees another's fetch counts or frontier.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
CRAWL = HERE / "crawl.py"
DEBIAN_PYTHON = "/usr/bin/python3"
# The site needs nothing but the JDK: its compiled class alone will do.
SITE_CLASSPATH = os.environ.get("SITE_CLASSPATH", str(REPOSITORY / "operator/target/test-classes"))
SITE_CLASS = "io.kubecrawl.operator.testing.LoopbackLinkGraphSite"
# crawl.py's keys: the spider's name prefixes scrapy-redis's request queue too.
START_URLS_KEY = "linkgraph:start_urls"
REQUESTS_KEY = "linkgraph:requests"
# How long the frontier must stay empty and the site without a request in progress before a scrapy-redis crawl counts
# as done: its processes never stop on their own (an idle RedisSpider waits for more work). What such a pause can
# still hide is a response being parsed, which takes milliseconds.
QUIET_SECONDS = 3.0
POLL_SECONDS = 0.2


@dataclass
class Site:
    directory: Path
    process: subprocess.Popen
    port: int
    stats_url: str
    hosts: list
    pages: int
    seeds: list
    expected_items: set

    def stats(self):
        with urllib.request.urlopen(self.stats_url, timeout=10) as answer:
            return json.load(answer)


@dataclass
class Run:
    name: str
    latency_ms: int
    launched: float
    ended: float = 0.0
    crawler_cpu: float = 0.0
    redis_cpu: float | None = None
    stats: dict = field(default_factory=dict)
    items_missing: int = 0
    items_duplicated: int = 0
    note: str = ""
    # Whose CPU redis_cpu is: redis-server's for scrapy-redis, the operator's JVM for Kubecrawl.
    frontier_name: str = "redis"


def start_site(work, name, pages, latency_ms):
    directory = work / name
    directory.mkdir(parents=True)
    process = subprocess.Popen(
        ["java", "-cp", SITE_CLASSPATH, SITE_CLASS, "--hosts", "4", "--pages", str(pages), "--latency-ms",
         str(latency_ms), "--dir", str(directory)],
        stdout=open(directory / "site.log", "w"), stderr=subprocess.STDOUT)
    description = directory / "site.json"
    deadline = time.monotonic() + 120
    while not description.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the site did not start; see {directory / 'site.log'}")
        time.sleep(0.1)
    site_json = json.loads(description.read_text())
    seeds = (directory / "seeds.txt").read_text().split()
    expected = set((directory / "expected-items.txt").read_text().splitlines()) - {""}
    return Site(directory, process, site_json["port"], site_json["statsUrl"], site_json["hosts"], site_json["pages"],
                seeds, expected)


def stop_site(site):
    """SIGTERM, as the site's main expects: its hook writes stats.json, the figures after the last request."""
    site.process.send_signal(signal.SIGTERM)
    site.process.wait(timeout=60)
    return json.loads((site.directory / "stats.json").read_text())


def start_crawler(site, python, kind, index, extra):
    items = site.directory / f"items-{index}.jsonl"
    log = site.directory / f"crawler-{index}.log"
    arguments = [python, str(CRAWL), kind, "--hosts", ",".join(site.hosts), "--items", str(items), "--log", str(log)]
    return subprocess.Popen(arguments + extra, stdout=subprocess.DEVNULL, stderr=open(log.with_suffix(".err"), "w"))


def reap(process, timeout):
    """Waits for the process and returns its CPU seconds (user and system), SIGKILLing it after the timeout.

    os.wait4 gives the figure for this one child, whatever else the driver has started."""
    deadline = time.monotonic() + timeout
    while True:
        pid, _, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = 0
            return usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            process.kill()
            deadline = float("inf")
        time.sleep(0.05)


def count_items(run, site):
    written = []
    for items in site.directory.glob("items-*.jsonl"):
        for line in items.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                written.append(item["url"] + " " + item["text"])
    run.items_missing = len(site.expected_items - set(written))
    run.items_duplicated = len(written) - len(set(written))
    # A crawler that failed would pass for a slow one: say so next to its figures.
    errors = sum(1 for log in site.directory.glob("crawler-*.log")
                 for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if "] ERROR:" in line or "] CRITICAL:" in line)
    if errors:
        run.note += f" {errors} ERROR/CRITICAL lines in the crawler logs ({site.directory})"


def run_plain_scrapy(work, pages, latency_ms):
    site = start_site(work, f"plain-{latency_ms}ms", pages, latency_ms)
    try:
        seeds = site.directory / "seeds.txt"
        run = Run("plain scrapy, 1 process", latency_ms, time.time())
        crawler = start_crawler(site, DEBIAN_PYTHON, "plain", 0, ["--seeds", str(seeds)])
        run.crawler_cpu = reap(crawler, timeout=3600)
    finally:
        run.stats = stop_site(site)
    run.ended = run.stats["lastAnswerMillis"] / 1000
    count_items(run, site)
    return run


def start_redis(site):
    socket_path = site.directory / "redis.sock"
    # No TCP port (a Unix socket) and no persistence: a clean Redis per run that leaves nothing behind.
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(socket_path), "--save", "", "--appendonly", "no",
         "--dir", str(site.directory)], stdout=open(site.directory / "redis.log", "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            client = redis.Redis(unix_socket_path=str(socket_path))
            client.ping()
            return process, client, "unix://" + str(socket_path)
        except (redis.ConnectionError, FileNotFoundError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {site.directory / 'redis.log'}")
            time.sleep(0.05)


def run_scrapy_redis(work, pages, latency_ms, processes, kill_one_at=None):
    """scrapy-redis with PROCESSES processes on one Redis; with KILL_ONE_AT (a share of the pages), the second process
    is SIGKILLed once the site has had that many fetches, as a node lost mid-crawl would be."""
    name = f"redis-{processes}p-{latency_ms}ms" + ("-kill" if kill_one_at else "")
    site = start_site(work, name, pages, latency_ms)
    crawlers = []
    redis_process = None
    label = f"scrapy-redis, {processes} process{'es' if processes > 1 else ''}"
    run = Run(label + (", one SIGKILLed" if kill_one_at else ""), latency_ms, 0.0)
    try:
        redis_process, client, redis_url = start_redis(site)
        client.rpush(START_URLS_KEY, *[json.dumps({"url": seed}) for seed in site.seeds])
        run.launched = time.time()
        crawlers = [start_crawler(site, sys.executable, "redis", i, ["--redis-url", redis_url])
                    for i in range(processes)]
        killed = None
        quiet_since = None
        last_fetches = -1
        while True:
            time.sleep(POLL_SECONDS)
            stats = site.stats()
            if kill_one_at and killed is None and stats["fetches"] >= kill_one_at * pages:
                killed = crawlers[1]
                killed.send_signal(signal.SIGKILL)
                run.note = f"SIGKILL at {stats['fetches']} fetches"
            queued = client.zcard(REQUESTS_KEY) + client.llen(START_URLS_KEY)
            still = (stats["fetches"] > 0 and queued == 0 and stats["inProgress"] == 0
                     and stats["fetches"] == last_fetches)
            last_fetches = stats["fetches"]
            if not still:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_SECONDS:
                break
            if all(crawler.poll() is not None for crawler in crawlers):
                run.note += " (every process exited by itself)"
                break
        for crawler in crawlers:
            if crawler is not killed:
                crawler.send_signal(signal.SIGTERM)
        run.crawler_cpu = sum(reap(crawler, timeout=60) for crawler in crawlers)
        redis_process.send_signal(signal.SIGTERM)
        run.redis_cpu = reap(redis_process, timeout=30)
        redis_process = None
    finally:
        for crawler in crawlers:
            if crawler.returncode is None and crawler.poll() is None:
                crawler.kill()
        if redis_process is not None:
            redis_process.kill()
        run.stats = stop_site(site)
    run.ended = run.stats["lastAnswerMillis"] / 1000
    count_items(run, site)
    return run


def run_kubecrawl(work, pages, runs):
    """The Kubecrawl rows, RUNS a list of (workers, latency_ms, kill_one_at or None), all in one Maven run.

    LinkGraphBenchmark (operator test sources) runs every one of them in one JVM, through Maven's test phase of the
    operator module (the reactor resolves the sibling modules, so nothing is installed), so that Maven, the build
    checks and Quarkus start once and not once a row. For each run it starts the site as start_site does (a process of
    its own, in work/kubecrawl-{workers}w-{latency}ms[-kill]), creates one CrawlJob over it on the operator and the
    fabric8 mock API server of that JVM, with worker pods played by LocalKubelet as local processes (the agent, a JVM,
    and its Scrapy process each) running crawl.py's spider from kubecrawl-project with spec.frontier.discovered
    Frontier and Host partitioning, and with KILL_ONE_AT SIGKILLs the second pod's processes at that share of the
    pages, as run_scrapy_redis does (the kubelet then starts a new pod, as a Job controller would).

    A row's clock starts when its CrawlJob is created, as the other rows' start when their crawler processes are
    launched. The CPU of the operator's JVM (the mock API server included) goes where redis-server's goes for
    scrapy-redis: it is the frontier's cost. Returns {(workers, latency_ms, kill_one_at): Run}."""
    command = [str(REPOSITORY / "mvnw"), "-B", "-pl", "crds,protocol,operator", "test",
               "-Dtest=LinkGraphBenchmark", "-Dsurefire.failIfNoSpecifiedTests=false",
               f"-Dlinkgraph.work-dir={work}", f"-Dlinkgraph.pages={pages}",
               "-Dlinkgraph.runs=" + ",".join(f"{run[0]}:{run[1]}:{run[2] or ''}" + (f":{run[3]}" if len(run) > 3 else "")
                                              for run in runs)]
    # KUBECRAWL_BENCH_ARGS: more -Dlinkgraph.* settings (batch-size, lease-seconds, max-leases-per-slot, ...).
    command += os.environ.get("KUBECRAWL_BENCH_ARGS", "").split()
    log_path = work / "kubecrawl-maven.log"
    print(f"kubecrawl: {len(runs)} runs in one Maven run ({log_path}) ...", flush=True)
    with open(log_path, "w") as log:
        maven = subprocess.run(command, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT, timeout=4 * 3600)
    rows = {}
    for spec in runs:
        workers, latency_ms, kill_one_at = spec[:3]
        leases = spec[3] if len(spec) > 3 else None
        directory = work / (f"kubecrawl-{workers}w-{latency_ms}ms" + ("-kill" if kill_one_at else "")
                            + (f"-{leases}leases" if leases else ""))
        label = f"kubecrawl, {workers} worker{'s' if workers > 1 else ''}"
        run = Run(label + (", one SIGKILLed" if kill_one_at else "") + (f", {leases} leases/slot" if leases else ""),
                  latency_ms, 0.0, frontier_name="operator")
        result_file = directory / "kubecrawl-result.json"
        if not (directory / "stats.json").exists() or not result_file.exists():
            print(f"{run.name}, {latency_ms} ms: no figures (Maven exited {maven.returncode}; see {log_path})",
                  flush=True)
            continue
        site = load_site(directory)
        run.stats = json.loads((directory / "stats.json").read_text())
        result = json.loads(result_file.read_text())
        run.launched = result.get("launched", 0.0)
        run.crawler_cpu = result.get("crawlerCpu", 0.0)
        run.redis_cpu = result.get("operatorCpu")
        run.note = result.get("note", "")
        if result.get("phase") != "Succeeded":
            run.note += f" job {result.get('phase', 'did not finish')}: {result.get('error', '')} (see {log_path})"
        batches = result.get("status", {}).get("batches", {})
        settings = result.get("settings", {})
        run.note += (f" [batches {batches.get('done')} done, {batches.get('failed')} failed, "
                     f"{result.get('leasesReissued')} leased again; batches leased at once: mean "
                     f"{result.get('meanBatchesLeased', 0):.1f}, max {result.get('maxBatchesLeased')}; batchSize "
                     f"{settings.get('batchSize')}, maxBatchesPerWorker {settings.get('maxBatchesPerWorker')}, "
                     f"maxLeasesPerSlot {settings.get('maxLeasesPerSlot')}, leaseSeconds "
                     f"{settings.get('leaseSeconds')}]")
        run.ended = run.stats["lastAnswerMillis"] / 1000
        count_items(run, site)
        rows[tuple(spec)] = run
    return rows


def load_site(directory):
    """A site another process started and stopped, from the files its main wrote."""
    site_json = json.loads((directory / "site.json").read_text())
    seeds = (directory / "seeds.txt").read_text().split()
    expected = set((directory / "expected-items.txt").read_text().splitlines()) - {""}
    return Site(directory, None, site_json["port"], site_json["statsUrl"], site_json["hosts"], site_json["pages"],
                seeds, expected)


def print_row(run, pages):
    stats = run.stats
    window = max(run.ended - stats["firstArrivalMillis"] / 1000, 1e-9)
    wall = max(run.ended - run.launched, 1e-9)
    concurrency = stats["maxConcurrencyByHost"]
    redis_cpu = "-" if run.redis_cpu is None else f"{run.redis_cpu:.1f}"
    print(f"{run.name + ',':42} {run.latency_ms:3d} ms: {stats['pagesFetched']:6d} pages in {wall:7.1f} s = "
          f"{stats['pagesFetched'] / wall:7.1f} pages/s ({stats['pagesFetched'] / window:7.1f} from the first request); "
          f"duplicate fetches {stats['duplicateFetches']}, never fetched {stats['neverFetched']}, items missing "
          f"{run.items_missing} of {2 * pages} (written twice {run.items_duplicated}), crawler CPU "
          f"{run.crawler_cpu:.1f} s, {run.frontier_name} CPU {redis_cpu} s, max per-host concurrency "
          f"{max(concurrency.values())} {list(concurrency.values())}" + (f"; {run.note.strip()}" if run.note else ""),
          flush=True)


def main():
    pages = int(os.environ.get("PAGES", "20000"))
    latencies = [int(latency) for latency in os.environ.get("LATENCIES_MS", "0 100").split()]
    work = Path(sys.argv[1])
    print(f"link-following benchmark: 4 hosts, {pages} pages, latencies {latencies} ms; "
          f"{os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[:3]}; work dir {work}",
          flush=True)
    print("pages/s: pages the site served from launching the crawler processes to its last answer (in brackets: "
          "from its first request); duplicate fetches and pages never fetched: the site's counts; items missing: "
          "expected items no crawler wrote; CPU: user+system seconds of the crawler processes (Kubecrawl: the worker "
          "pods' agents and Scrapy processes) and of the frontier (redis-server; Kubecrawl: the operator's JVM with "
          "the mock API server); "
          "max per-host concurrency: the most requests one host had in progress at once, then each host's", flush=True)
    # KINDS: which crawlers to run (default all three); e.g. KINDS=kubecrawl for the Kubecrawl rows alone.
    kinds = os.environ.get("KINDS", "plain redis kubecrawl").split()
    fault = os.environ.get("FAULT", "1") == "1"
    kubecrawl = {}
    if "kubecrawl" in kinds:
        # First, in one Maven run; printed below in the table's order.
        # WORKERS (default "1 4"): the Kubecrawl rows' worker counts; empty for the LEASES_PER_SLOT row alone.
        runs = [(workers, latency_ms, None) for latency_ms in latencies
                for workers in (int(w) for w in os.environ.get("WORKERS", "1 4").split())]
        if fault:
            runs.append((4, 100, 0.4))
        # LEASES_PER_SLOT (e.g. 4): one more row, 4 workers at 100 ms with that many leases of one host's slot at
        # once, as many Scrapy processes on one host as scrapy-redis's 4 processes have (8 requests each).
        extra_leases = int(os.environ.get("LEASES_PER_SLOT", "0"))
        if extra_leases and 100 in latencies:
            runs.append((4, 100, None, extra_leases))
        kubecrawl = run_kubecrawl(work, pages, runs)
        print(f"load average after the kubecrawl runs: {open('/proc/loadavg').read().split()[:3]}", flush=True)
    for latency_ms in latencies:
        if "plain" in kinds:
            print_row(run_plain_scrapy(work, pages, latency_ms), pages)
        if "redis" in kinds:
            # PROCESSES (default "1 4"): the scrapy-redis rows' process counts.
            for processes in (int(p) for p in os.environ.get("PROCESSES", "1 4").split()):
                print_row(run_scrapy_redis(work, pages, latency_ms, processes), pages)
        for spec, run in kubecrawl.items():
            if spec[1] == latency_ms and not spec[2]:
                print_row(run, pages)
    # The fault case at 100 ms only: with a site that answers at once the crawl would be over before the kill.
    if fault:
        if "redis" in kinds:
            print_row(run_scrapy_redis(work, pages, 100, 4, kill_one_at=0.4), pages)
        if (4, 100, 0.4) in kubecrawl:
            print_row(kubecrawl[(4, 100, 0.4)], pages)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
