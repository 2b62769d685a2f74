#!/usr/bin/env bash
# A log pipeline: four producers append to one record file at once (GFS §3.3); every line comes back
# exactly once, whole, even though records race for the end of the file and pad chunks.
# Usage: Examples/append-demo.sh [path/to/gfs]
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
export GFS_MASTER=127.0.0.1:$port
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$work"' EXIT

"$gfs" up --dir "$work/data" --port "$port" --chunk-size 64K --log-level warning &
up=$!
for _ in $(seq 100); do
    [ "$("$gfs" status 2>/dev/null | grep -c $'\talive\t')" = 3 ] && break
    sleep 0.1
done

"$gfs" append --create /events < /dev/null
for producer in 1 2 3 4; do
    seq 1 200 | sed "s/^/producer $producer event /" | "$gfs" append /events &
done
wait $(jobs -p | grep -v "^$up$")

lines=$("$gfs" cat /events | wc -l)
unique=$("$gfs" cat /events | sort -u | wc -l)
stored=$("$gfs" cat --raw /events | wc -c)
echo "records: $lines, distinct: $unique, bytes stored with framing and padding: $stored"
[ "$lines" = 800 ] && [ "$unique" = 800 ] && echo "every record exactly once"
