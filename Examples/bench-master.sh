#!/usr/bin/env bash
# Master durability costs: durable creates per second from 1 and 16 concurrent clients (each waiting for
# every OK, so only group commit lets them share fsyncs), beside a baseline of one local write+fdatasync per
# create; then restart time and RSS with FILES files (one chunk each with --chunks), with and without a
# synchronous shadow (--log-replicas).
# Usage: Examples/bench-master.sh [FILES] [--chunks] [path/to/gfs]   (default 1000000, .build/release/gfs)
set -euo pipefail
files=${1:-1000000}
chunks=${2:-}
gfs=${3:-.build/release/gfs}
[ "$chunks" = "--chunks" ] || { [ -n "$chunks" ] && gfs=$chunks; chunks=""; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

start_master() { # folder port [extra flags...]
    local folder=$1 port=$2; shift 2
    "$gfs" master --dir "$work/$folder" --listen "127.0.0.1:$port" --log-level warning "$@" > "$work/$folder.ready" &
    for _ in $(seq 600); do grep -q READY "$work/$folder.ready" 2>/dev/null && break; sleep 0.05; done
}
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

python3 - "$work" <<'PY' > "$work/baseline"
import os, sys, time
fd = os.open(sys.argv[1] + "/baseline.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
start = time.time(); n = 0
while time.time() - start < 2:
    os.write(fd, b"x" * 48); os.fdatasync(fd); n += 1
print(f"{n / (time.time() - start):.0f}")
PY
echo "baseline: one local write+fdatasync per create: $(cat "$work/baseline") creates/s"

run_bench() { # label port [master flags...]
    local label=$1 port=$2; shift 2
    python3 - "$port" "$files" "$chunks" "$label" <<'PY'
import socket, sys, threading, time
port, files, chunks, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "--chunks", sys.argv[4]
def connect():
    s = socket.create_connection(("127.0.0.1", port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s, s.makefile("rb")
def rate(clients, seconds=3):
    counts = [0] * clients
    def work(i):
        s, r = connect(); end = time.time() + seconds; n = 0
        while time.time() < end:
            s.sendall(f"CREATE /rate-{port}-{clients}-{i}-{n}\n".encode())
            assert r.readline().startswith(b"OK"); n += 1
        counts[i] = n
    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    [t.start() for t in threads]; [t.join() for t in threads]
    return sum(counts) / seconds
print(f"{label}: durable creates/s, 1 client: {rate(1):.0f}, 16 clients: {rate(16):.0f}")
s, r = connect()
s.sendall(b"MKDIR /many\n"); r.readline()
batch = 2000; start = time.time()
for base in range(0, files, batch):
    lines = []
    for i in range(base, min(files, base + batch)):
        lines.append(f"CREATE /many/f{i} replication=1\n")
        if chunks: lines.append(f"ALLOCATE /many/f{i} index=0\n")
    s.sendall("".join(lines).encode())
    for _ in lines:
        line = r.readline()
        assert line.startswith(b"OK"), line
print(f"{label}: {files} files{' with a chunk each' if chunks else ''} created in {time.time() - start:.1f} s")
PY
}

if [ -n "$chunks" ]; then
    start_master plain 17900 --replication 1 --chunk-size 64K
    "$gfs" chunkserver --dir "$work/cs" --listen 127.0.0.1:17901 --master 127.0.0.1:17900 --no-fsync --log-level warning > /dev/null &
    sleep 1
else
    start_master plain 17900
fi
run_bench "no shadow" 17900
pid=$(pgrep -f -- "--dir $work/plain" | head -1)
echo "no shadow: master RSS with $files files: $(rss_mib "$pid") MiB; log + checkpoints: $(du -sm "$work/plain" | cut -f1) MiB"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
start=$(date +%s.%N)
start_master plain 17900
end=$(date +%s.%N)
pid=$(pgrep -f -- "--dir $work/plain" | head -1)
echo "no shadow: restart to READY $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s, RSS after restart $(rss_mib "$pid") MiB"
kill "$pid"

start_master shadow 17911 --shadow-of 127.0.0.1:17910
start_master primary 17910 --log-replicas 127.0.0.1:17911
[ -n "$chunks" ] || run_bench "synchronous shadow" 17910
