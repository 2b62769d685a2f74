# Sourced by the examples: `start_cluster [gfs up flags…]` runs `gfs up` (3 chunkservers) in a scratch
# folder on a random loopback port, waits until every chunkserver has registered, and stops it all and
# removes the folder when the script exits. Needs $gfs; sets $work, $cluster_pid and GFS_MASTER.
start_cluster() {
    work=$(mktemp -d)
    cluster_pid=
    # `|| true`: under `set -e` a failing command in this trap would become the script's exit status.
    trap 'kill $cluster_pid 2>/dev/null || true; wait $cluster_pid 2>/dev/null || true; rm -rf "$work"' EXIT
    # Ports below the kernel's ephemeral range (32768 and up), so no outgoing connection holds one; a port
    # some other server took anyway makes `gfs up` exit, and another is tried.
    for attempt in 1 2 3 4 5; do
        local port=$((10000 + RANDOM % 20000))
        export GFS_MASTER=127.0.0.1:$port
        # GFS_PARENT_PID: a script killed with SIGKILL cannot run its trap; gfs up then stops on its own.
        GFS_PARENT_PID=$$ "$gfs" up --dir "$work/data-$attempt" --port "$port" --log-level warning "$@" &
        cluster_pid=$!
        for _ in $(seq 100); do
            [ "$("$gfs" status 2>/dev/null | grep -c $'\talive\t')" = 3 ] && return 0
            kill -0 "$cluster_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$cluster_pid" 2>/dev/null; wait "$cluster_pid" 2>/dev/null || true
    done
    echo "the local cluster did not come up" >&2
    return 1
}
