#!/usr/bin/env bash
# Snapshot costs: the time to snapshot a tree of FILES files, and the first write after a snapshot (which
# copies a 64 MiB chunk on every replica) beside the same write before it.
# Usage: Examples/bench-snapshot.sh [FILES] [path/to/gfs]   (default 100000, .build/release/gfs)
set -euo pipefail
files=${1:-100000}
gfs=${2:-.build/release/gfs}
source "$(dirname "$0")/cluster.sh"
start_cluster
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f s", b - a }'; }

python3 - "$port" "$files" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); r = s.makefile("rb")
s.sendall(b"MKDIR /tree parents=1\n"); r.readline()
n = int(sys.argv[2])
for base in range(0, n, 2000):
    batch = range(base, min(n, base + 2000))
    s.sendall("".join(f"CREATE /tree/f{i}\n" for i in batch).encode())
    for _ in batch: assert r.readline().startswith(b"OK")
PY
start=$(now); "$gfs" snapshot /tree /copy; end=$(now)
echo "snapshot of a tree of $files files: $(took "$start" "$end") ($("$gfs" ls /copy | wc -l) files in the copy)"

head -c $((64 << 20)) /dev/urandom | "$gfs" put - /big
head -c 4096 /dev/urandom > "$work/page"
start=$(now); "$gfs" write /big --offset 0 < "$work/page"; end=$(now)
echo "4 KiB write into an unshared 64 MiB chunk:         $(took "$start" "$end")"
"$gfs" snapshot /big /big-snap
start=$(now); "$gfs" write /big --offset 4096 < "$work/page"; end=$(now)
echo "first 4 KiB write after a snapshot (copy-on-write): $(took "$start" "$end")"
start=$(now); "$gfs" write /big --offset 8192 < "$work/page"; end=$(now)
echo "second 4 KiB write after the snapshot:             $(took "$start" "$end")"
