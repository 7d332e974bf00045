# What the CI scripts that run a `signalbox serve` share (awscli.sh,
# sdks.sh, jaeger.sh). Source it after setting NAME (the script's name in
# messages); it makes the temporary directory $tmp, removed at exit, and
# traps EXIT: the server is stopped, and on a failure its log (and the
# files in extra_logs) printed.

tmp=$(mktemp -d)
server_pid=""
extra_pids=()
extra_logs=()

fail() { echo "$NAME: $*" >&2; exit 1; }

ci_cleanup() {
  rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || rc=1
  fi
  for p in "${extra_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${extra_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "$NAME: FAILED; the logs:" >&2
    cat "${extra_logs[@]}" "$tmp/serve.log" >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap ci_cleanup EXIT

# serve_start ARGS...: builds the binary into $tmp, runs `signalbox serve
# --addr 127.0.0.1:0 ARGS...` on the embedded store (the environment's
# SIGNALBOX_REDIS_URL, mocks and OTLP settings unset), and sets $endpoint
# once it listens.
serve_start() {
  go build -o "$tmp/signalbox" ./cmd/signalbox
  env -u SIGNALBOX_REDIS_URL -u SFN_MOCK_CONFIG -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_TRACES_EXPORTER -u OTEL_SDK_DISABLED \
    "$tmp/signalbox" serve --addr 127.0.0.1:0 "$@" >"$tmp/serve.out" 2>"$tmp/serve.log" &
  server_pid=$!
  endpoint=""
  for _ in $(seq 300); do # up to 30s: a safety net, the loop ends when the server says where it listens
    line=$(head -n 1 "$tmp/serve.out")
    if [ -n "$line" ]; then endpoint=${line#signalbox serving on }; break; fi
    kill -0 "$server_pid" 2>/dev/null || fail "signalbox serve exited before listening"
    sleep 0.1
  done
  case "$endpoint" in http://127.0.0.1:*) ;; *) fail "signalbox serve did not start listening: '$endpoint'" ;; esac
}

# serve_stop: SIGTERM, and a clean exit that says so.
serve_stop() {
  kill -TERM "$server_pid"
  wait "$server_pid" || fail "signalbox serve did not exit cleanly on SIGTERM"
  server_pid=""
  grep -q "signalbox stopped" "$tmp/serve.out" || fail "signalbox serve did not say it stopped"
}
