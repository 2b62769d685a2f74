#!/usr/bin/env bash
# The nightly maintenance job: collect garbage, then check the file system's health. Silent and exit 0 when
# all is well; on trouble it prints the fsck report and exits non-zero, so cron mails it to you.
# Install with `crontab -e`:
#   30 3 * * *  GFS_MASTER=10.0.0.1:7700 /path/to/Examples/nightly-fsck-gc.sh /usr/local/bin/gfs
# Usage: Examples/nightly-fsck-gc.sh [path/to/gfs]   (the cluster comes from GFS_MASTER, default 127.0.0.1:7700)
set -uo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! "$gfs" gc > "$log" 2>&1; then
    echo "gfs gc failed:"; cat "$log"; exit 1
fi
"$gfs" fsck > "$log" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
    echo "gfs fsck found trouble (exit $status) on ${GFS_MASTER:-127.0.0.1:7700}:"
    grep -v $'^[a-z_]*\t[0-9]*$' "$log"    # the troubled files and chunks, and the one-line summary
    exit "$status"
fi
