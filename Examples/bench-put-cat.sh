#!/usr/bin/env bash
# Throughput of `gfs put` and `gfs cat` on one machine (3 replicas, so every byte is written 3 times),
# beside baselines measured in the same run: `tee` into 3 files, and `cat` of the local file.
# Usage: Examples/bench-put-cat.sh [size-in-MiB] [path/to/gfs]   (default 1024, .build/release/gfs)
set -euo pipefail
mib=${1:-1024}
gfs=${2:-.build/release/gfs}
source "$(dirname "$0")/cluster.sh"
start_cluster

head -c $((mib << 20)) /dev/urandom > "$work/input"
rate() { awk -v mib="$mib" -v s="$1" 'BEGIN { printf "%7.0f MB/s", mib * 1.048576 / s }'; }
timed() { local start end; start=$(date +%s.%N); "$@"; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

t_tee=$(timed sh -c "tee '$work/a' '$work/b' < '$work/input' > '$work/c' && sync '$work/a' '$work/b' '$work/c'")
rm -f "$work/a" "$work/b" "$work/c"
t_put=$(timed "$gfs" put "$work/input" /bench)
t_cat_local=$(timed sh -c "cat '$work/input' > /dev/null")
t_cat=$(timed sh -c "'$gfs' cat /bench > /dev/null")
"$gfs" cat /bench | cmp - "$work/input"

echo "size: $mib MiB, 3 replicas, 3 chunkservers on one machine"
echo "tee into 3 files + sync: $(rate "$t_tee")"
echo "gfs put:                 $(rate "$t_put")   ($(ratio "$t_tee" "$t_put")x tee)"
echo "cat of the local file:   $(rate "$t_cat_local")"
echo "gfs cat:                 $(rate "$t_cat")   ($(ratio "$t_cat_local" "$t_cat")x cat)"
