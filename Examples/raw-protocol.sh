#!/usr/bin/env bash
# The protocol by hand: every role speaks lines of text, so `nc` is a client. `gfs up` makes its cluster
# demand the cluster secret, so each session first proves it (gfs-protocol(5), AUTHENTICATION) with
# openssl's HMAC, checking the master's proof too. Then it creates a directory and a file on the master,
# lists them, asks for HELP, and shows an error line.
# Usage: Examples/raw-protocol.sh [path/to/gfs]
set -euo pipefail
gfs=${1:-$(command -v gfs || echo .build/debug/gfs)}
source "$(dirname "$0")/cluster.sh"
start_cluster --chunk-size 64K
host=${GFS_MASTER%:*}
port=${GFS_MASTER##*:}
secret=$(tr -d ' \n' < "${GFS_SECRET_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/gfs/secret}")

hmac() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //'; }

# session LINE…: one connection that authenticates, sends the lines and prints every reply.
session() {
    coproc master { nc -N "$host" "$port"; }
    local nonce reply server_nonce proof
    nonce=$(openssl rand -hex 16)
    printf 'HELLO principal=cluster nonce=%s\n' "$nonce" >&"${master[1]}"
    read -r reply <&"${master[0]}"                     # OK nonce=Ns proof=… [signature=…, the masters' key]
    server_nonce=${reply#*nonce=}; server_nonce=${server_nonce%% *}
    proof=${reply#*proof=}; proof=${proof%% *}
    [ "$proof" = "$(hmac "server|$nonce|$server_nonce|cluster")" ] || { echo "not our cluster" >&2; return 1; }
    { printf 'AUTH proof=%s\n' "$(hmac "client|$server_nonce|$nonce|cluster")"; printf '%s\n' "$@"; } >&"${master[1]}"
    eval "exec ${master[1]}>&-"                         # -N: nc closes once we do; the master answers every line first
    cat <&"${master[0]}"
    wait "${master_PID:-}" 2>/dev/null || true
}

# Paths are percent-encoded.
session 'MKDIR /raw' 'CREATE /raw/hello%20world replication=2' 'LS /raw' 'STAT /nope'
session 'HELP' | head -5
# Without the handshake, every request gets one ERR DENIED line.
printf 'LS /\n' | nc -N "$host" "$port"
