#!/usr/bin/env bash
# The master beside redis-server in one run, the yardstick of its metadata speed: the same number of clients,
# no pipelining, each waiting for every reply before sending the next request.
#   stat:   gfs STAT                       beside redis GET
#   create: gfs CREATE (durable: fsynced)  beside redis SET with appendonly yes, appendfsync always
# Both servers run on loopback on this machine, on the same disk. The machine is shared and noisy, so the two
# take turns for ROUNDS rounds (redis, then gfs, in each); each round's rates and ratios are printed, then the
# median ratio of each.
# Usage: Examples/bench-vs-redis.sh [FILES] [CLIENTS] [path/to/gfs] [ROUNDS]
#        (default 100000, 16, .build/release/gfs, 3)
set -euo pipefail
files=${1:-100000}
clients=${2:-16}
gfs=$(realpath "${3:-.build/release/gfs}")
rounds=${4:-3}
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
for round in $(seq "$rounds"); do
    redis-cli -p "$port" flushall >/dev/null
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -n "$files" -r "$files" -t set,get --csv > "$work/redis-$round.csv"
    "$gfs" bench meta --local --clients "$clients" --files "$files" --json > "$work/gfs-$round.json"
done

python3 - "$work" "$clients" "$rounds" <<'PY'
import csv, json, statistics, sys
work, clients, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(f"{clients} clients, one request at a time each; {rounds} rounds, redis then gfs in each")
ratios = {"stat": [], "create": []}
for round in range(1, rounds + 1):
    redis = {row[0]: float(row[1]) for row in csv.reader(open(f"{work}/redis-{round}.csv")) if row and row[0] in ("SET", "GET")}
    gfs = {run["name"]: run["rate"] for run in json.load(open(f"{work}/gfs-{round}.json"))}
    print(f"round {round}")
    for name, theirs, label in (("stat", "GET", "stat vs GET"), ("create", "SET", "durable create vs SET (appendfsync always)")):
        ratios[name].append(gfs[name] / redis[theirs])
        print(f"  {label:44s} gfs {gfs[name]:9.0f}/s  redis {redis[theirs]:9.0f}/s  ratio {ratios[name][-1]:.2f}")
    print(f"  {'ls of 100 entries':44s} gfs {gfs['ls']:9.0f}/s")
print(f"median ratio: stat/GET {statistics.median(ratios['stat']):.2f}, create/SET {statistics.median(ratios['create']):.2f}")
PY
