#!/usr/bin/env bash
# Runs a three-node Cairn cluster on this machine, for trying clusters out:
#
#   deploy/cluster.sh start    # nodes 1-3 on 127.0.0.1:7310-7312, metrics on :7410-7412
#   deploy/cluster.sh status   # cairn cluster status against node 1
#   deploy/cluster.sh stop     # SIGTERM to every node
#
# Data, configuration and logs go to $CAIRN_CLUSTER_DIR (default ./cairn-cluster); starting
# again reuses them. $CAIRN_NODE and $CAIRN_CLI name the binaries (default: the release
# builds in target/, built when missing).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${CAIRN_CLUSTER_DIR:-$PWD/cairn-cluster}"
node_bin="${CAIRN_NODE:-$root/target/release/cairn-node}"
cli_bin="${CAIRN_CLI:-$root/target/release/cairn}"

build_if_missing() {
  if [[ ! -x "$node_bin" || ! -x "$cli_bin" ]]; then
    (cd "$root" && cargo build --release --bin cairn-node --bin cairn)
  fi
}

write_config() {
  local id=$1 secret=$2
  cat > "$dir/node-$id.toml" <<TOML
node-id = $id
data-dir = "$dir/node-$id"
listen = "127.0.0.1:$((7309 + id))"

[cluster]
shards = 16
replication-factor = 3
task-token-secret = "$secret"
members = [
  { id = 1, address = "127.0.0.1:7310" },
  { id = 2, address = "127.0.0.1:7311" },
  { id = 3, address = "127.0.0.1:7312" },
]

[metrics]
listen = "127.0.0.1:$((7409 + id))"
TOML
}

start() {
  build_if_missing
  mkdir -p "$dir"
  if [[ ! -f "$dir/secret" ]]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/secret"
  fi
  local secret
  secret="$(cat "$dir/secret")"
  for id in 1 2 3; do
    if [[ -f "$dir/node-$id.pid" ]] && kill -0 "$(cat "$dir/node-$id.pid")" 2>/dev/null; then
      echo "node $id already runs (pid $(cat "$dir/node-$id.pid"))"
      continue
    fi
    write_config "$id" "$secret"
    "$node_bin" --config "$dir/node-$id.toml" > "$dir/node-$id.out" 2> "$dir/node-$id.log" &
    echo $! > "$dir/node-$id.pid"
  done
  for id in 1 2 3; do
    for _ in $(seq 1 100); do
      grep -q "listening on" "$dir/node-$id.out" 2>/dev/null && break
      if ! kill -0 "$(cat "$dir/node-$id.pid")" 2>/dev/null; then
        echo "node $id did not start; see $dir/node-$id.log" >&2
        tail -n 20 "$dir/node-$id.log" >&2
        exit 1
      fi
      sleep 0.1
    done
    echo "node $id: $(cat "$dir/node-$id.out")"
  done
  echo "endpoints: http://127.0.0.1:7310 http://127.0.0.1:7311 http://127.0.0.1:7312"
}

stop() {
  for id in 1 2 3; do
    local pidfile="$dir/node-$id.pid"
    [[ -f "$pidfile" ]] || continue
    local pid
    pid="$(cat "$pidfile")"
    if kill -TERM "$pid" 2>/dev/null; then
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      echo "node $id stopped"
    fi
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) build_if_missing; "$cli_bin" --endpoint http://127.0.0.1:7310 cluster status ;;
  *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
