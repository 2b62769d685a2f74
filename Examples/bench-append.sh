#!/usr/bin/env bash
# Record append throughput: 1, 4 and 8 concurrent appenders of 4 KiB records into one file, 3 replicas.
# Every acknowledged record is fdatasync'ed on three chunkservers, so a local fsync per record is the
# baseline printed first.
# Usage: Examples/bench-append.sh [records-per-appender] [path/to/gfs]   (default 2000, .build/release/gfs)
set -euo pipefail
count=${1:-2000}
gfs=${2:-.build/release/gfs}
source "$(dirname "$0")/cluster.sh"
start_cluster

# 4 KiB records: 4095 bytes and a newline each.
awk -v n="$count" 'BEGIN { line = sprintf("%4094s", ""); gsub(/ /, "x", line); for (i = 0; i < n; i++) print i line }' \
    | cut -c1-4095 > "$work/records"
now() { date +%s.%N; }
start=$(now)
python3 - "$work/records" "$work/fsync-baseline" <<'PY'
import os, sys
out = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
for line in open(sys.argv[1], "rb"):
    os.write(out, line)
    os.fdatasync(out)
PY
end=$(now)
awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN { printf "baseline, write+fdatasync per record to one local file: %6.0f records/s\n", n / (e - s) }'
for appenders in 1 4 8; do
    "$gfs" append --create "/bench-$appenders" < /dev/null
    start=$(now)
    for _ in $(seq "$appenders"); do "$gfs" append "/bench-$appenders" < "$work/records" & done
    wait $(jobs -p | grep -v "^$cluster_pid$")
    end=$(now)
    awk -v a="$appenders" -v n="$count" -v s="$start" -v e="$end" 'BEGIN {
        t = e - s; r = a * n; printf "%d appender(s): %6.0f records/s %6.1f MB/s (%d records in %.1f s)\n", a, r / t, r * 4096 / t / 1e6, r, t }'
done
lines=$("$gfs" cat /bench-8 | wc -l)
[ "$lines" = $((8 * count)) ] && echo "checked: /bench-8 holds all $lines records once"
