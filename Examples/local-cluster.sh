#!/usr/bin/env bash
# A local cluster in a scratch folder, a file through it and back, then everything stopped.
# Usage: Examples/local-cluster.sh [path/to/gfs]   (default: gfs on PATH, else .build/debug/gfs)
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
export GFS_MASTER=127.0.0.1:$port
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$work"' EXIT

"$gfs" up --dir "$work/data" --port "$port" --chunk-size 1M --log-level warning &
up=$!
for _ in $(seq 100); do
    [ "$("$gfs" status 2>/dev/null | grep -c $'\talive\t')" = 3 ] && break
    sleep 0.1
done

head -c 5000000 /dev/urandom > "$work/input"
"$gfs" mkdir -p /demo
"$gfs" put "$work/input" /demo/input
"$gfs" ls -l /demo
"$gfs" cat /demo/input | cmp - "$work/input" && echo "round trip ok: $(wc -c < "$work/input") bytes"
