"""The cluster under test: a master, a shadow master and CHUNKSERVERS chunkservers as real `gfs` processes on
loopback, the gfs client runner, a few requests in the master's line protocol, and the small tmpfs that makes
one chunkserver's disk fill up."""

import atexit
import os
import signal
import socket
import subprocess
import threading
import time
from urllib.parse import unquote

from common import (CHUNKSERVER_FLAGS, CHUNKSERVERS, CLIENT_TIMEOUT, FULL_DISK_SIZE, HOST, MASTER_DISK_SIZE,
                    MASTER_FLAGS, REGISTRY, REPLY_TIMEOUT, TLS, HarnessError, allowed, connect, tail)
from netns import Network

PORT = 17700  # every server's port when each has an address of its own (--partitions)


def free_ports(count):
    """Loopback ports free right now, all distinct (held open together while choosing)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Server:
    """One gfs server (master, shadow or chunkserver); each start is a new incarnation with its own log."""

    def __init__(self, name, binary, root, arguments_for, address, network=None):
        self.name = name
        self.network = network  # when set, the server runs in its namespace there
        self.binary = binary
        self.root = root
        self.arguments_for = arguments_for  # address -> argument list
        self.address = address  # fixed up front, so a restarted server comes back on the same address
        self.process = None
        self.incarnation = 0
        self.logs = []
        self.state = "down"  # up | stopped | killed | down
        self.down_since = None

    def start(self, attempts=8):
        """Starts an incarnation and waits for its READY line; retries while the port is still in use."""
        last_error = ""
        for _ in range(attempts):
            self.incarnation += 1
            base = os.path.join(self.root, f"{self.name}.{self.incarnation}")
            log_path = base + ".log"
            self.logs.append(log_path)
            with open(base + ".out", "wb") as out, open(log_path, "wb") as err:
                command = [self.binary] + self.arguments_for(self.address)
                if self.network:
                    command = self.network.command(self.name, command)
                process = subprocess.Popen(command,
                                           stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                           start_new_session=True)
            REGISTRY.add(process)
            if wait_ready(base + ".out", process, within=30):
                self.process = process
                self.state = "up"
                self.down_since = None
                return
            if process.poll() is None:
                process.kill()
            process.wait()
            REGISTRY.remove(process)
            last_error = tail(log_path, 5)
            time.sleep(0.5)
        raise HarnessError(f"{self.name} did not start (no READY line); its log:\n{last_error}")

    def kill(self):
        """SIGKILL (after SIGCONT, so a stopped process dies too) and reap."""
        if self.process is None:
            return
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.kill(self.process.pid, sig)
            except ProcessLookupError:
                pass
        self.process.wait()
        REGISTRY.remove(self.process)
        self.state = "killed"
        self.down_since = time.monotonic()

    def stop(self):
        os.kill(self.process.pid, signal.SIGSTOP)
        self.state = "stopped"
        self.down_since = time.monotonic()

    def cont(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.state = "up"
        self.down_since = None

    def exited_unexpectedly(self):
        """The exit status if the process is gone though nobody killed it, else None."""
        if self.state in ("up", "stopped") and self.process is not None:
            return self.process.poll()
        return None


def wait_ready(out_path, process, within):
    """True once the server printed its `READY host:port` line; False if it exits or stays silent."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with open(out_path, "rb") as f:
            if any(line.startswith(b"READY ") for line in f.read().splitlines()):
                return True
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    return False


class Result:
    def __init__(self, status, out, err):
        self.status = status
        self.out = out
        self.err = err.decode(errors="replace").strip()

    @property
    def ok(self):
        return self.status == 0

    @property
    def text(self):
        return self.out.decode(errors="replace")

    def why(self):
        return "timed out" if self.status is None else f"exit {self.status}: {self.err[-300:]}"


class Etcd:
    """Debian's etcd, for the masters' election with --etcd: on a host of its own with --partitions (so a
    fault can cut the primary off from it alone), else on loopback."""

    def __init__(self, root, network):
        self.root, self.network = root, network
        if network:
            self.client, self.peer = f"{network.addresses['etcd']}:2379", f"{network.addresses['etcd']}:2380"
        else:
            client, peer = free_ports(2)
            self.client, self.peer = f"{HOST}:{client}", f"{HOST}:{peer}"
        self.endpoint = "http://" + self.client
        self.process = None

    def start(self):
        import shutil
        binary = shutil.which("etcd")
        if not binary:
            raise HarnessError("--etcd needs etcd (Debian: apt-get install etcd-server)")
        peer = "http://" + self.peer
        command = [binary, "--name", "chaos", "--data-dir", os.path.join(self.root, "etcd"),
                   "--listen-client-urls", self.endpoint, "--advertise-client-urls", self.endpoint,
                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "chaos=" + peer]
        if self.network:
            command = self.network.command("etcd", command)
        with open(os.path.join(self.root, "etcd.log"), "wb") as err:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                            start_new_session=True)
        REGISTRY.add(self.process)
        host, port = self.client.rsplit(":", 1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, int(port)), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise HarnessError("etcd did not start; see etcd.log")


def make_certificates(root, hosts):
    """An authority and a server certificate it signed for `hosts` (IP addresses), made with openssl; returns
    the servers' TLS flags, and makes this process and every client it starts trust that authority."""
    import ssl
    folder = os.path.join(root, "tls")
    os.makedirs(folder, exist_ok=True)
    path = lambda name: os.path.join(folder, name)  # noqa: E731
    with open(path("names.cnf"), "w") as names:
        names.write("subjectAltName=" + ",".join(f"IP:{host}" for host in hosts) + "\n")
    steps = [
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
         "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=gfs chaos authority"],
        ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("server.key"),
         "-out", path("server.csr"), "-subj", "/CN=gfs chaos server"],
        ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
         "-out", path("server.pem"), "-days", "2", "-extfile", path("names.cnf")],
    ]
    for step in steps:
        result = subprocess.run(["openssl"] + step, capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(f"openssl {' '.join(step[:2])} failed: {result.stderr.strip()[:300]}")
    os.environ["GFS_TLS_CA"] = path("ca.pem")
    TLS.append(ssl.create_default_context(cafile=path("ca.pem")))
    return ["--tls-cert", path("server.pem"), "--tls-key", path("server.key"), "--tls-ca", path("ca.pem")]


class Cluster:
    """A master, its shadow and CHUNKSERVERS chunkservers, and the gfs client commands run against them.
    Every address is chosen up front, so a killed server comes back on the same address and folder. With
    `etcd`, "master" and "shadow" are two masters that elect their primary in etcd: either may be the primary,
    and `primary` / `follower` say which is which now."""

    def __init__(self, binary, root, log, full_disk=None, partitions=False, etcd=False, tls=False):
        self.binary = binary
        self.root = root
        self.log = log
        self.lock = threading.RLock()  # held while changing a server's state
        self.hung = 0  # client commands killed at CLIENT_TIMEOUT: not a violation, but what a user waits on
        self.mounts = []  # tmpfs folders mounted by this run, unmounted by unmount_all
        names = ["master", "shadow"] + [f"cs{number}" for number in range(1, CHUNKSERVERS + 1)]
        if partitions:
            # Each server on a host of its own, so a fault can cut any link; every port can be the same.
            self.network = Network(names + (["etcd"] if etcd else []), log)
            addresses = [f"{self.network.addresses[name]}:{PORT}" for name in names]
        else:
            self.network = None
            addresses = [f"{HOST}:{port}" for port in free_ports(len(names))]
        # With TLS every role serves with a certificate naming every server's address, and clients (this
        # harness's own requests too) trust only the run's authority.
        self.tls_flags = make_certificates(root, sorted({a.rsplit(":", 1)[0] for a in addresses})) if tls else []
        self.etcd = Etcd(root, self.network) if etcd else None
        if self.etcd:
            def elected(name, other):
                return lambda address: ["master", "--dir", os.path.join(root, name), "--listen", address,
                                        "--etcd", self.etcd.endpoint, "--etcd-ttl", "2s",
                                        "--log-replicas", other().address] + MASTER_FLAGS + self.tls_flags \
                    + (["--bootstrap"] if name == "master" else [])
            self.master = Server("master", binary, root, elected("master", lambda: self.shadow), addresses[0], self.network)
            self.shadow = Server("shadow", binary, root, elected("shadow", lambda: self.master), addresses[1], self.network)
        else:
            self.master = Server("master", binary, root, lambda address: [
                "master", "--dir", os.path.join(root, "master"), "--listen", address] + MASTER_FLAGS + self.tls_flags,
                addresses[0], self.network)
            self.shadow = Server("shadow", binary, root, lambda address: [
                "master", "--dir", os.path.join(root, "shadow"), "--listen", address,
                "--shadow-of", self.master.address] + MASTER_FLAGS + self.tls_flags, addresses[1], self.network)
        self.chunkservers = [Server(name, binary, root, self._chunkserver_arguments(number), address, self.network)
                             for number, (name, address) in enumerate(zip(names[2:], addresses[2:]), start=1)]
        self.full_disk = None  # index of the chunkserver whose folder is the small tmpfs, if mounted
        # Every chunkserver appends a line per mutation it acknowledged as primary (gfs chunkserver --ack-log).
        self.acknowledgements = os.path.join(root, "acks.log")
        if full_disk is not None:
            self._mount_small_disk(full_disk)
        # The master's folder is a tmpfs too, so a fault can make its disk full (its log and checkpoints).
        self.master_disk = self._mount(os.path.join(root, "master"), MASTER_DISK_SIZE)

    def _chunkserver_arguments(self, number):
        def arguments(address):
            return ["chunkserver", "--dir", os.path.join(self.root, f"cs{number}"), "--listen", address,
                    "--master", f"{self.master.address},{self.shadow.address}",
                    "--ack-log", self.acknowledgements] + CHUNKSERVER_FLAGS + self.tls_flags
        return arguments

    def _mount_small_disk(self, index):
        folder = os.path.join(self.root, f"cs{index + 1}")
        os.makedirs(folder, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FULL_DISK_SIZE}", "tmpfs", folder],
                                capture_output=True, text=True)
        if result.returncode == 0:
            self.mounts.append(folder)
            atexit.register(self.unmount_all)  # also when the run is cut short before its own cleanup
            self.full_disk = index
            self.log(f"cs{index + 1}: data folder on a {FULL_DISK_SIZE} tmpfs (full disk)")
        else:
            self.log(f"cs{index + 1}: could not mount a tmpfs ({result.stderr.strip()[:200]}); no full disk this run")

    def _mount(self, folder, size):
        os.makedirs(folder, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
                                capture_output=True, text=True)
        if result.returncode != 0:
            self.log(f"{folder}: could not mount a tmpfs ({result.stderr.strip()[:200]})")
            return None
        self.mounts.append(folder)
        atexit.register(self.unmount_all)
        return folder

    def fill_master_disk(self):
        """Shrinks the master's tmpfs to what it uses now plus a few pages: its next log writes find it full.
        Returns the new size in bytes, or None when there is no such disk."""
        if not self.master_disk:
            return None
        stats = os.statvfs(self.master_disk)
        used = (stats.f_blocks - stats.f_bfree) * stats.f_frsize
        size = used + 4 * 4096
        result = subprocess.run(["mount", "-o", f"remount,size={size}", self.master_disk], capture_output=True)
        return size if result.returncode == 0 else None

    def free_master_disk(self):
        if self.master_disk:
            subprocess.run(["mount", "-o", f"remount,size={MASTER_DISK_SIZE}", self.master_disk], capture_output=True)

    def unmount_all(self):
        """Unmounts this run's tmpfs (after every process is dead); lazily if something still holds it."""
        for folder in self.mounts:
            if subprocess.run(["umount", folder], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", folder], capture_output=True)
        self.mounts = []

    def teardown_network(self):
        if self.network:
            self.network.teardown()

    @property
    def servers(self):
        return [self.master, self.shadow] + self.chunkservers

    @property
    def masters(self):
        """The --master list clients and chunkservers get: both masters under etcd, else the primary."""
        return f"{self.master.address},{self.shadow.address}" if self.etcd else self.master.address

    @property
    def primary(self):
        """The master that answers STATUS as primary now (under etcd either may be), else `master`."""
        if self.etcd:
            for server in (self.master, self.shadow):
                if server.state == "up" and status_role(server.address) == "primary":
                    return server
        return self.master

    @property
    def follower(self):
        return self.shadow if self.primary is self.master else self.master

    def start(self):
        if self.etcd:
            self.etcd.start()
        self.master.start()
        self.shadow.start()
        for server in self.chunkservers:
            server.start()
        self.wait_for_live_chunkservers(CHUNKSERVERS, within=30)

    def wait_for_live_chunkservers(self, count, within):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            result = self.gfs(["status"], timeout=10)
            if result.ok and sum("\talive\t" in line for line in result.text.splitlines()) >= count:
                return True
            time.sleep(0.3)
        return False

    def down_count(self):
        return sum(server.state != "up" for server in self.chunkservers)

    def gfs(self, arguments, stdin=b"", timeout=CLIENT_TIMEOUT, master=None):
        """Runs a gfs client command; `--master` and `--timeout` go after the subcommand."""
        command = [self.binary, arguments[0], "--master", master or self.masters,
                   "--timeout", REPLY_TIMEOUT] + arguments[1:]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        REGISTRY.add(process)
        try:
            out, err = process.communicate(stdin, timeout=timeout)
            status = process.returncode
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            status = None  # timed out
            with self.lock:
                self.hung += 1
        finally:
            REGISTRY.remove(process)
        return Result(status, out, err)


# --------------------------------------------------------------------------------------------------------
# The master's line protocol, for what the CLI does not print: chunk locations and whole listings.

class LineConnection:
    """One connection to a server on loopback; `request` sends a line and returns the reply line and the
    `n=` lines that follow it."""

    def __init__(self, address, timeout=10):
        host, port = address.rsplit(":", 1)
        if not allowed(host):
            raise HarnessError(f"refusing address {address}: not loopback nor this run's own network")
        self.socket = connect(host, port, timeout=timeout)
        self.reader = self.socket.makefile("rb")

    def request(self, line):
        self.socket.sendall(line.encode() + b"\n")
        reply = self._line()
        fields = fields_of(reply)
        return reply, [self._line() for _ in range(int(fields.get("n", "0")) if reply.startswith("OK") else 0)]

    def _line(self):
        line = self.reader.readline()
        if not line:
            raise OSError("connection closed")
        return line.decode(errors="replace").rstrip("\r\n")

    def close(self):
        self.socket.close()


def fields_of(line):
    return {k: unquote(v) for k, v in (token.split("=", 1) for token in line.split()[1:] if "=" in token)}


def status_fields(master, timeout=3):
    """The fields of a master's (or shadow's) STATUS line, or {} if it does not answer."""
    try:
        connection = LineConnection(master, timeout=timeout)
        try:
            reply, _ = connection.request("STATUS")
        finally:
            connection.close()
    except (OSError, HarnessError):
        return {}
    return fields_of(reply)


def status_role(address):
    """The role a master's STATUS names (primary, shadow-of-…), or None if it does not answer."""
    return status_fields(address, timeout=2).get("role")


def last_chunk(master, path):
    """(handle, live replica addresses) of the last chunk of `path` per the master (LOOKUP), or (None, [])."""
    try:
        connection = LineConnection(master, timeout=3)
        try:
            reply, lines = connection.request(f"LOOKUP {path}")
        finally:
            connection.close()
    except (OSError, HarnessError):
        return None, []
    if not reply.startswith("OK") or not lines:
        return None, []
    fields = fields_of(lines[-1])
    return fields.get("handle"), [a for a in fields.get("replicas", "").split(",") if a]


def last_chunk_replicas(master, path):
    return last_chunk(master, path)[1]


def latest_primary(acknowledgements, handle):
    """The server that most recently acknowledged a mutation of `handle` as primary (its --ack-log line)."""
    try:
        with open(acknowledgements, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 64 * 1024))
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        fields = fields_of(line)
        if fields.get("handle") == handle:
            return fields.get("server")
    return None


def listing(master, top):
    """{path: (type, size)} of everything under `top`, walked with LS on one connection; raises OSError."""
    connection = LineConnection(master, timeout=10)
    try:
        entries, folders = {}, [top]
        while folders:
            folder = folders.pop()
            reply, lines = connection.request(f"LS {folder}")
            if not reply.startswith("OK"):
                raise OSError(f"LS {folder}: {reply}")
            for line in lines:
                fields = fields_of(line)
                entries[fields["path"]] = (fields.get("type"), int(fields.get("size", "0")))
                if fields.get("type") == "directory":
                    folders.append(fields["path"])
        return entries
    finally:
        connection.close()


def status_sequence(master):
    """The log sequence number a master (or shadow) reports in STATUS, or None."""
    try:
        return int(status_fields(master).get("sequence", ""))
    except ValueError:
        return None
