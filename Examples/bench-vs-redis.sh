#!/usr/bin/env bash
# The master beside redis-server in one run, the yardstick of its metadata speed: the same number of clients,
# no pipelining, each waiting for every reply before sending the next request.
#   stat:   gfs STAT                       beside redis GET
#   create: gfs CREATE (durable: fsynced)  beside redis SET with appendonly yes, appendfsync always
# Both servers run on loopback on this machine, on the same disk. Prints each rate and the ratio gfs/redis.
# Usage: Examples/bench-vs-redis.sh [FILES] [CLIENTS] [path/to/gfs]   (default 100000, 16, .build/release/gfs)
set -euo pipefail
files=${1:-100000}
clients=${2:-16}
gfs=$(realpath "${3:-.build/release/gfs}")
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    apt-get install -y -qq redis-server redis-tools >/dev/null
fi
work=$(mktemp -d)
port=$((20000 + RANDOM % 10000))
redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --appendonly yes --appendfsync always --save '' \
    --daemonize no > "$work/redis.log" 2>&1 &
redis=$!
trap 'kill $redis 2>/dev/null || true; wait $redis 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }

# redis-benchmark --csv: "test","rps",...; the SET run comes first, so GETs find their keys.
redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -n "$files" -r "$files" -t set,get --csv > "$work/redis.csv"
"$gfs" bench meta --local --clients "$clients" --files "$files" --json > "$work/gfs.json"

python3 - "$work/redis.csv" "$work/gfs.json" "$clients" <<'PY'
import csv, json, sys
redis = {row[0]: float(row[1]) for row in csv.reader(open(sys.argv[1])) if row and row[0] in ("SET", "GET")}
gfs = {run["name"]: run["rate"] for run in json.load(open(sys.argv[2]))}
print(f"{sys.argv[3]} clients, one request at a time each")
for name, theirs, label in (("stat", "GET", "stat vs GET"), ("create", "SET", "durable create vs SET (appendfsync always)")):
    print(f"  {label:44s} gfs {gfs[name]:9.0f}/s  redis {redis[theirs]:9.0f}/s  ratio {gfs[name] / redis[theirs]:.2f}")
print(f"  {'ls of 100 entries':44s} gfs {gfs['ls']:9.0f}/s")
PY
