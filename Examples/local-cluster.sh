#!/usr/bin/env bash
# A local cluster in a scratch folder, a file through it and back, then everything stopped.
# Usage: Examples/local-cluster.sh [path/to/gfs]   (default: gfs on PATH, else .build/debug/gfs)
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
source "$(dirname "$0")/cluster.sh"
start_cluster --chunk-size 1M

head -c 5000000 /dev/urandom > "$work/input"
"$gfs" mkdir -p /demo
"$gfs" put "$work/input" /demo/input
"$gfs" ls -l /demo
"$gfs" cat /demo/input | cmp - "$work/input" && echo "round trip ok: $(wc -c < "$work/input") bytes"
