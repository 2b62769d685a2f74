#!/usr/bin/env bash
# A log pipeline: four producers append to one record file at once (GFS §3.3); every line comes back
# exactly once, whole, even though records race for the end of the file and pad chunks.
# Usage: Examples/append-demo.sh [path/to/gfs]
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
source "$(dirname "$0")/cluster.sh"
start_cluster --chunk-size 64K

"$gfs" append --create /events < /dev/null
for producer in 1 2 3 4; do
    seq 1 200 | sed "s/^/producer $producer event /" | "$gfs" append /events &
done
wait $(jobs -p | grep -v "^$cluster_pid$")

lines=$("$gfs" cat /events | wc -l)
unique=$("$gfs" cat /events | sort -u | wc -l)
stored=$("$gfs" cat --raw /events | wc -c)
echo "records: $lines, distinct: $unique, bytes stored with framing and padding: $stored"
[ "$lines" = 800 ] && [ "$unique" = 800 ] && echo "every record exactly once"
