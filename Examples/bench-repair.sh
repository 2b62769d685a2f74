#!/usr/bin/env bash
# Self-healing costs: put SIZE MiB (3 replicas) on 4 chunkservers, SIGKILL the one holding the most, and
# time until `gfs fsck` is healthy again, with the re-replication rate beside `cp` of the same bytes on this
# disk (the copies share it). Then fsck time on a namespace of FILES empty files.
# Usage: Examples/bench-repair.sh [SIZE_MIB] [FILES] [path/to/gfs]   (default 1024, 1000000, .build/release/gfs)
set -euo pipefail
size=${1:-1024}
files=${2:-1000000}
gfs=${3:-.build/release/gfs}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
port=$((10000 + RANDOM % 20000))   # below the ephemeral range (32768 and up)
calc() { awk "BEGIN { printf \"%.2f\", $* }"; }
now() { date +%s.%N; }
export GFS_MASTER=127.0.0.1:$port

"$gfs" master --dir "$work/m" --listen "$GFS_MASTER" --log-level warning --clone-rate 1G \
    --clones-per-server 4 --clones-total 16 > /dev/null &
sleep 1
for i in 1 2 3 4; do
    "$gfs" chunkserver --dir "$work/c$i" --listen "127.0.0.1:$((port + i))" --master "$GFS_MASTER" \
        --log-level warning --scrub-rate 0 > /dev/null &
    pids[$i]=$!
done
for _ in $(seq 100); do [ "$("$gfs" status | grep -c $'\talive\t')" = 4 ] && break; sleep 0.1; done

head -c $((size << 20)) /dev/urandom > "$work/data"
"$gfs" put "$work/data" /data
sync
start=$(now); cp "$work/data" "$work/copy"; sync; cp_s=$(calc "$(now) - $start")
rm "$work/copy"

victim=1; most=0
for i in 1 2 3 4; do
    count=$(ls "$work/c$i/chunks" | grep -c '\.chunk$' || true)
    if [ "$count" -gt "$most" ]; then most=$count; victim=$i; fi
done
lost_mib=$(du -sm "$work/c$victim/chunks" | cut -f1)
kill -9 "${pids[$victim]}"
start=$(now)
until "$gfs" fsck > /dev/null 2>&1; do sleep 0.2; done
heal_s=$(calc "$(now) - $start")
echo "killed 1 of 4 chunkservers holding $lost_mib MiB ($most chunks): fsck healthy again after ${heal_s} s"
echo "re-replication: $(calc "$lost_mib / $heal_s") MiB/s; cp of $size MiB + sync: $(calc "$size / $cp_s") MiB/s; ratio $(calc "($lost_mib / $heal_s) / ($size / $cp_s)")"

python3 - "$port" "$files" <<'PY'
import socket, sys
port, files = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port)); r = s.makefile("rb")
s.sendall(b"MKDIR /many\n"); r.readline()
batch = 10000
for start in range(0, files, batch):
    s.sendall("".join(f"CREATE /many/f{i}\n" for i in range(start, min(files, start + batch))).encode())
    for _ in range(start, min(files, start + batch)): assert r.readline().startswith(b"OK")
PY
start=$(now); "$gfs" fsck --files / > /dev/null; fsck_s=$(calc "$(now) - $start")
start=$(now); "$gfs" fsck / > /dev/null; quick_s=$(calc "$(now) - $start")
echo "fsck of $files files: ${quick_s} s (problems only), ${fsck_s} s (--files, every file listed)"
