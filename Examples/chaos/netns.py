"""Hosts in network namespaces of this run's own, so faults can cut links between roles.

Every server runs in a namespace of its own (`ip netns add`), joined by a veth pair to one bridge in the root
namespace; the bridge holds the clients' (and this harness's) address. A cut is a `blackhole` or `prohibit`
route to one host's /32 in the sender's namespace: one-way by nature (the kernel has no netfilter or netem
here), and two such routes make a symmetric cut. Namespaces have no route but their /24, so nothing they send
can leave the bridge; the only addresses ever used are this /24's and loopback."""

import atexit
import os
import subprocess

from common import ALLOWED_PREFIXES, HarnessError

CLIENTS = "clients"  # the root namespace: the gfs client commands and this harness


class Network:
    def __init__(self, names, log):
        self.log = log
        self.number = self._free_number()
        self.prefix = f"10.77.{self.number}."
        self.bridge = f"gfs{self.number}br"
        self.addresses = {CLIENTS: self.prefix + "1"}
        self.namespaces = {}  # host name -> namespace
        self.cuts = {}  # (source, destination) -> route kind, while in force
        self.made_bridge = False  # only a bridge this run made is ever deleted
        ALLOWED_PREFIXES.append(self.prefix)
        atexit.register(self.teardown)
        try:
            self._ip("link", "add", self.bridge, "type", "bridge")
            self.made_bridge = True
            self._ip("addr", "add", self.prefix + "1/24", "dev", self.bridge)
            self._ip("link", "set", self.bridge, "up")
            for index, name in enumerate(names, start=2):
                self._add_host(name, self.prefix + str(index))
        except HarnessError:
            self.teardown()
            raise

    @staticmethod
    def _free_number():
        """A third octet no other run on this machine uses (each run makes its own bridge)."""
        start = os.getpid() % 200
        for step in range(200):
            number = 20 + (start + step) % 200
            if not os.path.exists(f"/sys/class/net/gfs{number}br"):
                return number
        raise HarnessError("no free 10.77.N.0/24 for the run's network")

    def _ip(self, *arguments, namespace=None):
        command = (["ip", "netns", "exec", namespace, "ip"] if namespace else ["ip"]) + list(arguments)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise HarnessError(f"{' '.join(command)}: {result.stderr.strip()[:200]}")

    def _add_host(self, name, address):
        namespace = f"gfs{self.number}-{name}"
        self._ip("netns", "add", namespace)
        self.namespaces[name] = namespace
        veth = f"g{self.number}{name}"[:15]
        self._ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        self._ip("link", "set", veth, "master", self.bridge)
        self._ip("link", "set", veth, "up")
        self._ip("link", "set", "lo", "up", namespace=namespace)
        self._ip("addr", "add", address + "/24", "dev", "eth0", namespace=namespace)
        self._ip("link", "set", "eth0", "up", namespace=namespace)
        self.addresses[name] = address

    def command(self, name, argv):
        """`argv` run inside host `name`'s namespace; `ip netns exec` execs it, so the pid is the server's."""
        return ["ip", "netns", "exec", self.namespaces[name]] + argv

    def cut(self, source, destination, kind="blackhole"):
        """From now on nothing `source` sends reaches `destination` (blackhole drops it; prohibit refuses it)."""
        if (source, destination) in self.cuts:
            return False
        self._ip("route", "add", kind, self.addresses[destination] + "/32", namespace=self.namespaces.get(source))
        self.cuts[(source, destination)] = kind
        return True

    def heal(self, source, destination):
        kind = self.cuts.get((source, destination))
        if kind:
            self._ip("route", "del", kind, self.addresses[destination] + "/32",
                     namespace=self.namespaces.get(source))
            del self.cuts[(source, destination)]  # only once the route is gone

    def heal_all(self):
        for source, destination in list(self.cuts):
            self.heal(source, destination)

    def teardown(self):
        """Removes the routes, namespaces and bridge (after every process in them is dead); idempotent."""
        for source, destination in list(self.cuts):
            try:
                self.heal(source, destination)
            except HarnessError:
                self.cuts.pop((source, destination), None)  # its namespace goes below, and the route with it
        for namespace in self.namespaces.values():
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        self.namespaces = {}
        if self.made_bridge:
            subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
            self.made_bridge = False
        if self.prefix in ALLOWED_PREFIXES:
            ALLOWED_PREFIXES.remove(self.prefix)
