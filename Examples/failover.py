#!/usr/bin/env python3
"""Availability of gfs under master failover (issue 17's figures), on loopback, standard library only.

Starts etcd (Debian's etcd-server), two masters that elect their primary in it (`--etcd`, each the other's
log replica) and four chunkservers, all real `gfs` processes in a temporary folder. Clients loop over puts
of 64 KiB, mkdirs, record appends and cats of files already put, each a `gfs` command with --timeout 30.
Meanwhile the primary master is SIGKILLed every --master-every seconds (started again 1 s later, as a
supervisor would) and a chunkserver every --chunkserver-every seconds (started again 2 s later).

Prints, at the end:
  availability: client operations that exited 0, out of all (goal: >= 99.9%);
  failover:     seconds from each primary's SIGKILL until the other master answers STATUS as primary,
                median and maximum;
  write stall:  seconds from each primary's SIGKILL until a put or mkdir started after it succeeds;
and checks that every acknowledged put reads back byte for byte. Exit status 1 if a check fails.

    python3 Examples/failover.py --gfs .build/debug/gfs --minutes 10
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_role(address):
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1) as connection:
            connection.sendall(b"STATUS\n")
            line = connection.makefile().readline()
    except OSError:
        return None
    fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
    return fields.get("role")


class Server:
    def __init__(self, name, arguments, folder):
        self.name, self.arguments, self.folder, self.process = name, arguments, folder, None

    def start(self):
        log = open(os.path.join(self.folder, self.name + ".log"), "ab")
        self.process = subprocess.Popen(self.arguments, stdout=subprocess.DEVNULL, stderr=log)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gfs", default=".build/debug/gfs")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--master-every", type=float, default=30)
    parser.add_argument("--chunkserver-every", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--master-flags", default="", help="more flags for both masters, e.g. '--lease 10s'")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    gfs = os.path.abspath(args.gfs)
    etcd_binary = shutil.which("etcd")
    if not etcd_binary:
        sys.exit("failover.py needs etcd (Debian: apt-get install etcd-server)")
    root = tempfile.mkdtemp(prefix="gfs-failover-")
    rng = random.Random(args.seed)
    servers = []

    client_port, peer_port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{client_port}"
    peer = f"http://127.0.0.1:{peer_port}"
    etcd = Server("etcd", [etcd_binary, "--name", "f", "--data-dir", os.path.join(root, "etcd"),
                           "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                           "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                           "--initial-cluster", "f=" + peer], root)
    etcd.start()
    servers.append(etcd)
    masters = [f"127.0.0.1:{free_port()}" for _ in range(2)]
    master_list = ",".join(masters)
    master_servers = []
    for index, address in enumerate(masters):
        folder = os.path.join(root, f"master-{index + 1}")
        os.makedirs(folder)
        server = Server(f"master-{index + 1}", [gfs, "master", "--dir", folder, "--listen", address, "--etcd", endpoint,
                                                "--log-replicas", masters[1 - index], "--chunk-size", "4M"]
                        + (["--bootstrap"] if index == 0 else []) + args.master_flags.split(), root)
        server.start()
        master_servers.append(server)
    chunkservers = []
    for index in range(4):
        folder = os.path.join(root, f"cs-{index + 1}")
        server = Server(f"cs-{index + 1}", [gfs, "chunkserver", "--dir", folder, "--listen", f"127.0.0.1:{free_port()}",
                                            "--master", master_list, "--heartbeat-interval", "500ms"], root)
        server.start()
        chunkservers.append(server)
    servers += master_servers + chunkservers

    def gfs_command(arguments, stdin=b""):
        command = [gfs, arguments[0], "--master", master_list, "--timeout", "30"] + arguments[1:]
        return subprocess.run(command, input=stdin, capture_output=True, timeout=120)

    deadline = time.time() + 60
    while time.time() < deadline and gfs_command(["mkdir", "-p", "/f"]).returncode != 0:
        time.sleep(0.5)

    lock = threading.Lock()
    outcomes = []  # (started, finished, kind, ok)
    acknowledged = {}  # path -> bytes
    stop = threading.Event()

    def client(number):
        local = random.Random(args.seed * 100 + number)
        count = 0
        while not stop.is_set():
            count += 1
            kind = local.choice(["put", "put", "mkdir", "append", "cat"])
            started = time.time()
            if kind == "put":
                data = local.randbytes(64 << 10)
                path = f"/f/c{number}-{count}"
                result = gfs_command(["put", "-", path], data)
                if result.returncode == 0:
                    with lock:
                        acknowledged[path] = data
            elif kind == "mkdir":
                result = gfs_command(["mkdir", f"/f/d{number}-{count}"])
            elif kind == "append":
                result = gfs_command(["append", "--create", f"/f/records-{number}"], f"c{number}-{count}\n".encode())
            else:
                with lock:
                    paths = list(acknowledged)
                if not paths:
                    continue
                path = local.choice(paths)
                result = gfs_command(["cat", path])
                if result.returncode == 0 and result.stdout != acknowledged[path]:
                    print(f"failover: {path} read back different bytes", file=sys.stderr)
            with lock:
                outcomes.append((started, time.time(), kind, result.returncode == 0))
                if result.returncode != 0:
                    print(f"failover: {kind} failed at {time.time() - begin:.1f}s: {result.stderr.decode().strip()[:200]}",
                          file=sys.stderr)

    begin = time.time()
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(args.clients)]
    for thread in threads:
        thread.start()
    end = begin + args.minutes * 60
    kills, failovers = [], []
    next_master, next_chunkserver = begin + args.master_every, begin + args.chunkserver_every
    while time.time() < end:
        now = time.time()
        if now >= next_master:
            next_master += args.master_every
            primary = next((s for s, a in zip(master_servers, masters) if status_role(a) == "primary"), None)
            if primary:
                other = masters[1 - master_servers.index(primary)]
                killed = time.time()
                primary.kill()
                kills.append(killed)
                while time.time() < killed + 60 and status_role(other) != "primary":
                    time.sleep(0.05)
                failovers.append(time.time() - killed)
                time.sleep(max(0, killed + 1 - time.time()))
                primary.start()
        if now >= next_chunkserver:
            next_chunkserver += args.chunkserver_every
            victim = rng.choice(chunkservers)
            victim.kill()
            threading.Timer(2, victim.start).start()
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=150)

    lost = [path for path, data in sorted(acknowledged.items()) if gfs_command(["cat", path]).stdout != data]
    for server in servers:
        server.kill()
    writes = sorted((s, f) for s, f, kind, ok in outcomes if ok and kind in ("put", "mkdir"))
    stalls = []
    for killed in kills:
        after = [finished for started, finished in writes if started >= killed]
        if after:
            stalls.append(min(after) - killed)
    total, ok = len(outcomes), sum(1 for outcome in outcomes if outcome[3])
    availability = 100.0 * ok / max(total, 1)

    def spread(values):
        return f"median {statistics.median(values):.1f}s max {max(values):.1f}s" if values else "none"

    print(f"failover: {args.minutes:g} min, primary killed every {args.master_every:g}s ({len(kills)} kills), a chunkserver "
          f"every {args.chunkserver_every:g}s; availability {ok}/{total} = {availability:.2f}%; "
          f"failover {spread(failovers)}; write stall {spread(stalls)}; acknowledged puts {len(acknowledged)}, lost {len(lost)}")
    if args.keep:
        print(f"failover: logs in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(0 if not lost and availability >= 99.9 else 1)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
