#!/usr/bin/env bash
# A real Redis Cluster for tests and benchmarks: 3 primaries and 3 replicas from this machine's own
# redis-server, on ports of their own (never 6379), data in a temporary directory.
#
#   tools/redis_cluster.sh start [primaries]   # prints the URL of the first node: redis://127.0.0.1:7100/0
#   tools/redis_cluster.sh stop
#   tools/redis_cluster.sh status
#
# BASE_PORT (default 7100) moves the ports; CLUSTER_DIR (default /tmp/dialer-cluster-<BASE_PORT>) the data.
# With `start 1` a one-primary cluster (no replicas) is made, for benchmarks against three; REPLICAS=0
# leaves the replicas out of a 3-primary one.
# `stop` ends only the servers this script started (by the pids it wrote) and removes their data.
set -euo pipefail

BASE_PORT=${BASE_PORT:-7100}
DIR=${CLUSTER_DIR:-/tmp/dialer-cluster-$BASE_PORT}
SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
CLI=${REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}

ports() {
  local n=$1
  seq "$BASE_PORT" $((BASE_PORT + n - 1))
}

stop() {
  [ -d "$DIR" ] || return 0
  for pidfile in "$DIR"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
}

start() {
  local primaries=${1:-3} replicas=${REPLICAS:-1}
  [ "$primaries" -ge 3 ] || replicas=0
  local n=$((primaries * (1 + replicas)))
  stop
  mkdir -p "$DIR"
  local nodes=()
  for port in $(ports "$n"); do
    mkdir -p "$DIR/$port"
    "$SERVER" --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$DIR/$port" \
      --pidfile "$DIR/$port/redis.pid" --logfile "$DIR/$port/redis.log" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --cluster-replica-validity-factor 0 \
      --appendonly yes --save '' >/dev/null
    nodes+=("127.0.0.1:$port")
  done
  for port in $(ports "$n"); do
    for _ in $(seq 50); do "$CLI" -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  if [ "$primaries" -ge 3 ]; then
    "$CLI" --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes >"$DIR/create.log"
  else  # redis-cli --cluster create wants 3 primaries: one node takes every slot itself
    "$CLI" -p "$BASE_PORT" cluster addslotsrange 0 16383 >"$DIR/create.log"
  fi
  for _ in $(seq 100); do
    if "$CLI" -p "$BASE_PORT" cluster info | grep -q 'cluster_state:ok'; then
      # Every node must agree before clients look at the slots.
      local ok=1
      for port in $(ports "$n"); do
        "$CLI" -p "$port" cluster info | grep -q 'cluster_state:ok' || ok=0
      done
      # ... and the replicas must have joined their primaries.
      [ "$("$CLI" -p "$BASE_PORT" cluster nodes | grep -c slave || true)" -ge $((primaries * replicas)) ] || ok=0
      # ... and hold their primary's data (a replica that never synced cannot take over).
      for port in $(ports "$n"); do
        if "$CLI" -p "$port" info replication | grep -q '^role:slave'; then
          "$CLI" -p "$port" info replication | grep -q 'master_link_status:up' || ok=0
        fi
      done
      [ "$ok" = 1 ] && { echo "redis://127.0.0.1:$BASE_PORT/0"; return 0; }
    fi
    sleep 0.1
  done
  echo "the cluster did not come up; see $DIR" >&2
  return 1
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  stop) stop ;;
  status) "$CLI" -p "$BASE_PORT" cluster nodes ;;
  *) echo "usage: $0 start [primaries] | stop | status" >&2; exit 2 ;;
esac
