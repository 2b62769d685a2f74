"""What every part of the chaos harness shares: the run's constants, the process registry that kills every
child by pid, the fault log, the list of violations, and the harness's own error."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

CHUNK_SIZE = 1 << 20
CHUNKSERVERS = 5
MAX_DOWN = 2  # with a goal of 3 replicas among 5 servers, at most 2 may be down at once
BAD_DISK = CHUNKSERVERS - 1  # index of the chunkserver whose disk corrupts itself (cs5)
CLIENT_TIMEOUT = 30.0  # seconds a whole client command may take before it is killed (and not acknowledged)
REPLY_TIMEOUT = "10"  # gfs --timeout: seconds to wait for any one reply
HEAL_DEADLINE = 60.0  # the bound: fsck healthy within 60 s of the last fault
SHADOW_DEADLINE = 30.0  # seconds the shadow has to catch up with the primary after the run
FULL_DISK_SIZE = "48m"  # the tmpfs under one chunkserver's folder
MASTER_DISK_SIZE = "64m"  # the tmpfs under the master's folder, shrunk to its use during a master-disk fault
HOST = "127.0.0.1"  # loopback: the addresses of a run without --partitions
ALLOWED_PREFIXES = []  # the /24 of this run's own network namespaces (netns.py), when it made one


def allowed(host):
    """Only loopback and the hosts of this run's own namespaces are ever talked to."""
    return host == HOST or any(host.startswith(prefix) for prefix in ALLOWED_PREFIXES)


TLS = []  # with --tls: the ssl.SSLContext that trusts the run's authority (set once, by the cluster)


def connect(host, port, timeout):
    """A connection to a server of this run, over TLS when the run uses it."""
    connection = socket.create_connection((host, int(port)), timeout=timeout)
    if not TLS:
        return connection
    try:
        return TLS[0].wrap_socket(connection, server_hostname=host)
    except (OSError, ValueError):
        connection.close()
        raise

MASTER_FLAGS = ["--chunk-size", "1M", "--lease", "3s", "--heartbeat-timeout", "2s", "--repair-interval", "500ms"]
# A slowish scrubber: clients sometimes meet a corrupt replica before the scrubber does, and read past it.
CHUNKSERVER_FLAGS = ["--heartbeat-interval", "500ms", "--report-interval", "5s", "--scrub-rate", "4M"]

# Lines in a server log that mean it crashed rather than being killed.
CRASH_PATTERNS = re.compile(r"Fatal error|Program crashed|Segmentation fault|Illegal instruction|"
                            r"Precondition failed|Assertion failed|Stack dump|Current stack trace")


class HarnessError(Exception):
    """The harness could not do its job (as opposed to gfs violating an invariant)."""


class ShuttingDown(Exception):
    """Raised in a thread that tries to start a process after cleanup began."""


class Registry:
    """Every child process, so cleanup can SIGCONT and SIGKILL each by pid whatever happened."""

    def __init__(self):
        self.lock = threading.Lock()
        self.processes = set()
        self.closed = False  # set by kill_all: anything started afterwards (by a thread still running) dies

    def add(self, process):
        with self.lock:
            if not self.closed:
                self.processes.add(process)
                return
        process.kill()
        process.wait()
        raise ShuttingDown()

    def remove(self, process):
        with self.lock:
            self.processes.discard(process)

    def kill_all(self):
        with self.lock:
            self.closed = True
            processes = list(self.processes)
            self.processes.clear()
        for process in processes:
            if process.poll() is None:
                # A stopped process would not die until continued.
                for sig in (signal.SIGCONT, signal.SIGKILL):
                    try:
                        os.kill(process.pid, sig)
                    except ProcessLookupError:
                        pass
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass


REGISTRY = Registry()


def quiet_shutdown(hook=threading.excepthook):
    """A thread that ran into the cleanup just ends; any other exception in a thread is printed as usual."""
    def excepthook(arguments):
        if not issubclass(arguments.exc_type, ShuttingDown):
            hook(arguments)
    threading.excepthook = excepthook


class Clock:
    """Seconds since the run started, for the fault log."""

    def __init__(self):
        self.start = time.monotonic()

    def now(self):
        return time.monotonic() - self.start


class EventLog:
    """The fault log: every fault and recovery step with its time since the start."""

    def __init__(self, clock, verbose):
        self.clock = clock
        self.verbose = verbose
        self.lines = []
        self.lock = threading.Lock()

    def __call__(self, text):
        line = f"{self.clock.now():7.2f}s  {text}"
        with self.lock:
            self.lines.append(line)
        if self.verbose:
            print(line, file=sys.stderr, flush=True)


class Violations:
    """Every violation found, in the order found; the first one names the run's failure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, kind, text):
        with self.lock:
            self.items.append((kind, text))

    def first(self):
        return self.items[0][1] if self.items else None


class Tally:
    """The counters of the summary line's second half."""

    def __init__(self):
        self.lost = 0
        self.dup = 0
        self.corrupt = 0
        self.bad_replicas = set()  # (handle, server)
        self.caught = 0  # replicas of the bad disk whose corruption gfs detected (CHECKSUM)
        self.resurrected = 0  # removed files that came back
        self.snap_bad = 0  # snapshot files missing or not byte-identical to the source when taken
        self.shadow = "-"  # equal | differs | - (not checked)
        self.overlaps = 0  # mutations acknowledged by one primary while another's newer lease was in force
        self.heal = None  # seconds until fsck was healthy
        self.heal_checked = False


def tail(path, lines):
    try:
        with open(path, "rb") as f:
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
