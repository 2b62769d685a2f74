#!/usr/bin/env bash
# The protocol by hand: every role speaks lines of text, so `nc` is a client. Creates a directory and a
# file on the master, lists them, asks for HELP, and shows an error line.
# Usage: Examples/raw-protocol.sh [path/to/gfs]
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
source "$(dirname "$0")/cluster.sh"
start_cluster --chunk-size 64K
host=${GFS_MASTER%:*}
port=${GFS_MASTER##*:}

# -N: close the connection once stdin ends; the master answers every line first. Paths are percent-encoded.
printf 'MKDIR /raw\nCREATE /raw/hello%%20world replication=2\nLS /raw\nSTAT /nope\n' | nc -N "$host" "$port"
printf 'HELP\n' | nc -N "$host" "$port" | head -4
