#!/usr/bin/env bash
# Discovered-request store benchmark (outside the test suite): one job's discovered requests through the operator's
# RocksDB store (io.kubecrawl.operator.frontier.discovered). Adds URLS requests (default 10,000,000) on HOSTS hosts
# (100) in completions of BATCH (100), about DUPLICATES (0.3) of them repeats, then cuts batches until every slot is
# empty, then completes them. Prints the add+dedup rate, the lease (cut) rate, the completion rate, the peak heap and
# RSS, and the store's size on disk; see DiscoveredStoreBenchmark (operator test sources) for what each figure is.
# The store lives under STORE_DIR (default: a temporary directory, removed afterwards), which should be on the disk
# the operator's volume would be on: every cut is fsynced.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

classpath_file="$(mktemp)"
work="$(mktemp -d "${STORE_DIR:-${TMPDIR:-/tmp}}/discovered-bench.XXXXXX")"
trap 'rm -rf "$work" "$classpath_file"' EXIT

# Compile and resolve the operator's test classpath in one reactor run: the project's own modules then resolve to
# their target/classes, so a fresh clone needs nothing installed into ~/.m2 (and nothing shared there is replaced).
# Every module of the run writes the file; the operator, built last, writes it last.
./mvnw -B -q -pl operator -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
echo "store: $work on $(df -h "$work" | awk 'NR==2 {print $1}')"
java -Xmx"${HEAP:-256m}" -Durls="${URLS:-10000000}" -Dhosts="${HOSTS:-100}" -Dslots="${SLOTS:-32}" \
  -Dbatch="${BATCH:-100}" -Dduplicates="${DUPLICATES:-0.3}" \
  -cp "$root/operator/target/test-classes:$root/operator/target/classes:$(cat "$classpath_file")" \
  io.kubecrawl.operator.frontier.discovered.DiscoveredStoreBenchmark "$work/store"
