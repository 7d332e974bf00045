#!/usr/bin/env bash
# peer.sh runs the peer benchmark: the shared workloads through
# aws-local-stepfunctions (see /work/shared/bench/README.md).
#
# Usage: bench/peer.sh [runner options]
#   Runner options are passed to run_aws_local_sfn.mjs unchanged; the default
#   is "--repeats 5". Others: --warmup N, --only name[,name], --concurrency K.
#
# It copies the peers and workloads into a fresh temporary directory, runs
# "npm ci" there and then the runner, and removes the directory on exit, so
# every run starts from the same state and leaves nothing behind.
#
# stdout carries the runner's output unchanged: one JSON object per line, one
# line per workload. The runner's human-readable summary, and npm's output, go
# to stderr. The exit status is non-zero when a step fails, when the runner
# prints no result, or when a workload's output did not match the expected one
# ("output_ok": false).
#
# Environment:
#   SIGNALBOX_BENCH_DIR  the shared bench directory holding peers/ and
#                        workloads/ (default: ../../shared/bench from this
#                        script, i.e. /work/shared/bench).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_dir=${SIGNALBOX_BENCH_DIR:-$here/../../shared/bench}

for f in "$bench_dir/peers/run_aws_local_sfn.mjs" "$bench_dir/peers/node/package-lock.json" "$bench_dir/workloads/manifest.json"; do
	if [[ ! -f $f ]]; then
		echo "peer.sh: missing $f (set SIGNALBOX_BENCH_DIR)" >&2
		exit 2
	fi
done
for cmd in node npm; do
	if ! command -v "$cmd" >/dev/null; then
		echo "peer.sh: $cmd is not installed" >&2
		exit 2
	fi
done

if [[ $# -eq 0 ]]; then
	set -- --repeats 5
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/signalbox-peer.XXXXXX")
trap 'rm -rf "$work"' EXIT

cp -r "$bench_dir/peers" "$bench_dir/workloads" "$work"/
(cd "$work/peers/node" && npm ci --no-audit --no-fund 1>&2)

out="$work/out.jsonl"
node "$work/peers/run_aws_local_sfn.mjs" "$@" | tee "$out"

if [[ ! -s $out ]]; then
	echo "peer.sh: the runner printed no result" >&2
	exit 1
fi
if grep -q '"output_ok":false' "$out"; then
	echo "peer.sh: a workload's output did not match the expected output" >&2
	exit 1
fi
