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

tmp=$(mktemp -d)
pids=()
cleanup() {
  rc=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "jaeger: FAILED; Jaeger's log and the server's:" >&2
    cat "$tmp/jaeger.log" "$tmp/serve.log" >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "jaeger: $*" >&2; exit 1; }

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
pids+=($!)
query="http://127.0.0.1:$JAEGER_QUERY"
for _ in $(seq 300); do # up to 30s: a safety net; the loop ends when Jaeger answers
  curl -fs "$query/api/services" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || fail "jaeger exited before answering"
  sleep 0.1
done
curl -fs "$query/api/services" >/dev/null || fail "jaeger's query API does not answer on $query"

go build -o "$tmp/signalbox" ./cmd/signalbox
env -u SIGNALBOX_REDIS_URL -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_TRACES_EXPORTER -u OTEL_SDK_DISABLED \
  "$tmp/signalbox" serve --addr 127.0.0.1:0 --config examples/orders/signalbox.yaml \
  --otlp-endpoint "http://127.0.0.1:$JAEGER_OTLP_HTTP" >"$tmp/serve.out" 2>"$tmp/serve.log" &
server=$!
pids+=("$server")
endpoint=""
for _ in $(seq 300); do # up to 30s, as above
  line=$(head -n 1 "$tmp/serve.out")
  if [ -n "$line" ]; then endpoint=${line#signalbox serving on }; break; fi
  kill -0 "$server" 2>/dev/null || fail "signalbox serve exited before listening"
  sleep 0.1
done
case "$endpoint" in http://127.0.0.1:*) ;; *) fail "signalbox serve did not start listening: '$endpoint'" ;; esac

trace=4bf92f3577b34da6a3ce929d0e0e4736
caller=00f067aa0ba902b7
python3 .ci/jaeger_check.py run "$endpoint" "$trace" "$caller" >"$tmp/execution"
# serve flushes its spans when it stops
kill -TERM "$server"
wait "$server" || fail "signalbox serve did not exit cleanly on SIGTERM"
python3 .ci/jaeger_check.py check "$query" "$trace" "$caller" "$(cat "$tmp/execution")"
