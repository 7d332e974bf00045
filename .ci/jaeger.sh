#!/usr/bin/env bash
# Tracing end to end, against a real Jaeger: Jaeger v1.75.0 (the approved
# release; .ci/tools pins it, `go get -tool` style, in a module of its own
# so the project's go.mod carries none of its dependencies), built once and
# cached in ${XDG_CACHE_HOME:-~/.cache}/signalbox-ci; signalbox serve with
# the order example exporting OTLP/HTTP to it; an order POSTed with a W3C
# traceparent; the trace read back from Jaeger's HTTP query API and checked
# (.ci/jaeger_check.py): the caller's trace id is the execution's, the
# service, the span names and their parentage. Every server listens on
# loopback, on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${XDG_CACHE_HOME:-$HOME/.cache}/signalbox-ci"
jaeger="$cache/jaeger-v1.75.0"
if [ ! -x "$jaeger" ]; then
  echo "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger@v1.75.0 into $jaeger (once; a few minutes)"
  mkdir -p "$cache"
  (cd .ci/tools && go build -o "$jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
  mv "$jaeger.tmp" "$jaeger"
fi

NAME=jaeger
. .ci/lib.sh

# Four free loopback ports (the kernel's choice, released just before use).
read -r JAEGER_OTLP_HTTP JAEGER_QUERY JAEGER_QUERY_GRPC _ < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
export JAEGER_OTLP_HTTP JAEGER_QUERY JAEGER_QUERY_GRPC
"$jaeger" --config .ci/jaeger.yaml >"$tmp/jaeger.log" 2>&1 &
extra_pids+=($!)
extra_logs+=("$tmp/jaeger.log")
query="http://127.0.0.1:$JAEGER_QUERY"
for _ in $(seq 300); do # up to 30s: a safety net; the loop ends when Jaeger answers
  curl -fs "$query/api/services" >/dev/null 2>&1 && break
  kill -0 "${extra_pids[0]}" 2>/dev/null || fail "jaeger exited before answering"
  sleep 0.1
done
curl -fs "$query/api/services" >/dev/null || fail "jaeger's query API does not answer on $query"

serve_start --config examples/orders/signalbox.yaml --otlp-endpoint "http://127.0.0.1:$JAEGER_OTLP_HTTP"

trace=4bf92f3577b34da6a3ce929d0e0e4736
caller=00f067aa0ba902b7
python3 .ci/jaeger_check.py run "$endpoint" "$trace" "$caller" >"$tmp/execution"
serve_stop # serve flushes its spans when it stops
python3 .ci/jaeger_check.py check "$query" "$trace" "$caller" "$(cat "$tmp/execution")"
