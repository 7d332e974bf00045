#!/usr/bin/env bash
# Starts or stops a 3-master Redis Cluster on loopback, from Debian's
# redis-server, for the store's conformance suite (store/store_test.go).
#
#   .ci/redis-cluster.sh [start]  start a fresh cluster; print its seeds,
#                                 "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003",
#                                 the value SIGNALBOX_REDIS_CLUSTER takes
#   .ci/redis-cluster.sh stop     stop it and remove its files
#
# SIGNALBOX_CLUSTER_PORTS (default "7001 7002 7003") picks the ports. Nodes
# keep nothing on disk but their cluster config, under
# ${TMPDIR:-/tmp}/signalbox-redis-cluster. Only the seeds go to stdout.
set -euo pipefail

read -r -a ports <<<"${SIGNALBOX_CLUSTER_PORTS:-7001 7002 7003}"
dir="${TMPDIR:-/tmp}/signalbox-redis-cluster"

log() { echo "redis-cluster: $*" >&2; }

install() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return
  log "installing redis-server"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2
}

# wait_for CMD...: retries CMD for up to 30 s.
wait_for() {
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

pong() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }
not_pong() { ! pong "$1"; }
cluster_ok() {
  local info
  info=$(redis-cli -p "$1" cluster info 2>/dev/null)
  grep -q '^cluster_state:ok' <<<"$info" && grep -q '^cluster_slots_ok:16384' <<<"$info" &&
    grep -q "^cluster_known_nodes:${#ports[@]}" <<<"$info"
}

stop() {
  [ -d "$dir" ] || return 0
  local p
  for p in "${ports[@]}"; do
    [ -f "$dir/$p.pid" ] || continue # not ours
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$dir/$p.pid")" 2>/dev/null || true
    # A daemonized node may linger as a zombie until reaped: wait for its
    # port rather than its pid.
    wait_for not_pong "$p" || log "node $p did not stop"
  done
  rm -rf "$dir"
}

start() {
  install
  stop
  mkdir -p "$dir"
  local p addrs=()
  for p in "${ports[@]}"; do
    redis-server --port "$p" --bind 127.0.0.1 --daemonize yes \
      --dir "$dir" --pidfile "$dir/$p.pid" --logfile "$dir/$p.log" \
      --cluster-enabled yes --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 5000 \
      --save "" --appendonly no
    addrs+=("127.0.0.1:$p")
  done
  for p in "${ports[@]}"; do
    wait_for pong "$p" || { log "node $p did not start; see $dir/$p.log"; exit 1; }
  done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >&2
  for p in "${ports[@]}"; do
    wait_for cluster_ok "$p" || { log "node $p: cluster not ok"; redis-cli -p "$p" cluster info >&2; exit 1; }
  done
  (IFS=,; echo "${addrs[*]}")
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
