#!/usr/bin/env bash
# Drive `gfs shell` from a here-document: one command per line, `#` comments, `cd` for relative paths, no
# prompts, and the first failing line stops the script with its exit status.
# Usage: Examples/shell-script.sh [path/to/gfs]
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
source "$(dirname "$0")/cluster.sh"
start_cluster --chunk-size 64K

seq 1 5 > "$work/numbers"
"$gfs" shell <<EOF_SCRIPT
# lay out a project tree
mkdir -p /project/data
cd /project/data
put $work/numbers numbers      # relative to the current directory
snapshot numbers numbers.bak
cd ..
ls data
EOF_SCRIPT

# A failing line stops the script and becomes the shell's exit status (1: not found).
set +e
"$gfs" shell <<'EOF_SCRIPT' 2> "$work/errors"
stat /project/data/numbers
cat /project/missing
mkdir /never-made
EOF_SCRIPT
status=$?
set -e
echo "failing script exited $status: $(cat "$work/errors")"
"$gfs" stat /never-made > /dev/null 2>&1 && echo "the line after the failure ran" || echo "stopped at the failure"
