#!/usr/bin/env bash
# Pipelined durable creates on ONE connection, beside redis SET pipelined the same way (appendfsync always).
# A client writes batches of request lines without waiting and then reads their replies, as `nc` or a
# script would: MKDIR of a folder, then CREATEs in it, BATCH lines at a time. The master answers each batch
# with shared fsyncs; every reply still means "on disk". Both servers run on loopback, on the same disk.
# Usage: Examples/bench-pipelined-creates.sh [FOLDERS] [FILES_PER_FOLDER] [BATCH] [path/to/gfs]
#        (default 2600 100 2000 .build/release/gfs: 262,600 requests)
set -euo pipefail
folders=${1:-2600}
per=${2:-100}
batch=${3:-2000}
gfs=$(realpath "${4:-.build/release/gfs}")
work=$(mktemp -d)
master=""
redis=""
trap '[ -n "$master" ] && kill $master 2>/dev/null; [ -n "$redis" ] && kill $redis 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$gfs" master --listen 127.0.0.1:0 --dir "$work/master" > "$work/ready" 2> "$work/master.log" &
master=$!
for _ in $(seq 200); do grep -q READY "$work/ready" 2>/dev/null && break; sleep 0.05; done
address=$(awk '/^READY/ {print $2}' "$work/ready")
[ -n "$address" ] || { echo "the master did not start:" >&2; cat "$work/master.log" >&2; exit 1; }

python3 - "$address" "$folders" "$per" "$batch" "$master" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
folders, per, batch, pid = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def cpu():  # the master's user + system seconds
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100
connection = socket.create_connection((host, int(port)))
replies = connection.makefile("rb")
def send(lines):
    connection.sendall("".join(lines).encode())
    for _ in lines:
        reply = replies.readline()
        if not reply.startswith(b"OK"):
            sys.exit(f"unexpected reply: {reply!r}")
send(["MKDIR /pipelined\n"])
started, cpu_started = time.monotonic(), cpu()
lines = []
for folder in range(folders):
    lines.append(f"MKDIR /pipelined/d{folder}\n")
    for file in range(per):
        lines.append(f"CREATE /pipelined/d{folder}/f{file}\n")
        if len(lines) >= batch:
            send(lines)
            lines = []
if lines:
    send(lines)
took, requests = time.monotonic() - started, folders * (per + 1)
print(f"gfs:   {requests} pipelined MKDIR/CREATE on one connection in {took:.1f} s = {requests / took:.0f}/s, "
      f"master CPU {(cpu() - cpu_started) / requests * 1e6:.1f} µs per request")
PY

if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    port=$((20000 + RANDOM % 10000))
    redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --appendonly yes --appendfsync always --save '' \
        --daemonize no > "$work/redis.log" 2>&1 &
    redis=$!
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
    requests=$((folders * (per + 1)))
    rate=$(redis-benchmark -h 127.0.0.1 -p "$port" -c 1 -P "$batch" -n "$requests" -r "$requests" -t set --csv \
        | awk -F'"' '$2 == "SET" {print $4}')
    echo "redis: $requests SETs pipelined $batch deep on one connection = ${rate}/s"
else
    echo "redis: not installed (apt-get install redis-server redis-tools), no baseline"
fi
