import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Test hosts of a test's own: each a network namespace (`ip netns add`) with its own address in a private
/// 10.77.N.0/24, joined by a veth pair to one bridge in the root namespace, which holds the test's (the
/// clients') address. A cut is a `blackhole` or `prohibit` route to one host's /32 in the sender's namespace
/// (there is no netfilter or netem here), one-way by nature. Namespaces route only their /24, so nothing they
/// send leaves the bridge. Needs root; `isAvailable` says whether this run has it.
public final class TestNetwork: @unchecked Sendable {
    // Mutated only from the test that owns it, one call at a time.

    /// The root namespace's name among the hosts: where the test and its clients run.
    public static let clients = "clients"
    /// Whether namespaces can be made here: root, and iproute2 installed.
    public static var isAvailable: Bool { geteuid() == 0 && ip != nil }
    private static var ip: String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let number: Int
    private let bridge: String
    private var made: [String] = []  // namespaces this network made, each deleted at teardown
    private var madeBridge = false
    private var cuts: [String: (source: String, destination: String, kind: String)] = [:]
    /// Each host's address, `clients` included.
    public private(set) var addresses: [String: String] = [:]

    /// Makes the bridge and one namespace per host name (names of at most 8 letters and digits). Networks
    /// a killed test run left behind are removed first.
    public init(hosts: [String]) throws {
        Self.removeAbandoned()
        (number, bridge) = try Self.makeBridge()
        madeBridge = true
        addresses[Self.clients] = "10.77.\(number).1"
        do {
            try Self.ip(["addr", "add", "10.77.\(number).1/24", "dev", bridge])
            try Self.ip(["link", "set", bridge, "up"])
            for (index, host) in hosts.enumerated() { try add(host, address: "10.77.\(number).\(index + 2)") }
        } catch {
            teardown()
            throw error
        }
    }

    /// The namespace a host's processes run in.
    public func namespace(_ host: String) -> String { "gfs\(number)-\(host)" }

    /// The address of `host`, or throws for a host this network does not have.
    public func address(_ host: String) throws -> String {
        guard let address = addresses[host] else { throw ClusterError("no test host \(host)") }
        return address
    }

    /// The command line that runs `executable arguments` on `host`; `ip netns exec` execs it, so the pid is
    /// the program's own.
    public func command(on host: String, _ executable: URL, _ arguments: [String]) throws -> (URL, [String]) {
        guard let ip = Self.ip, made.contains(namespace(host)) else { throw ClusterError("no test host \(host)") }
        return (URL(fileURLWithPath: ip), ["netns", "exec", namespace(host), executable.path] + arguments)
    }

    /// From now on nothing `source` sends reaches `destination` (`blackhole` drops it, `prohibit` refuses it).
    public func cut(_ source: String, _ destination: String, kind: String = "blackhole") throws {
        let key = "\(source)>\(destination)"
        guard cuts[key] == nil else { return }
        try route("add", kind, source: source, destination: destination)
        cuts[key] = (source, destination, kind)
    }

    /// Cuts both ways between `host` and each of `others`.
    public func isolate(_ host: String, from others: [String], kind: String = "blackhole") throws {
        for other in others {
            try cut(host, other, kind: kind)
            try cut(other, host, kind: kind)
        }
    }

    /// Removes every cut.
    public func healAll() throws {
        for (key, cut) in cuts {
            try route("del", cut.kind, source: cut.source, destination: cut.destination)
            cuts[key] = nil
        }
    }

    /// Deletes the routes, namespaces and bridge; call it once every process on the hosts is dead. Idempotent.
    public func teardown() {
        // Cuts from the clients' side are routes in the root namespace: they would outlive the namespaces.
        for (_, cut) in cuts where cut.source == Self.clients {
            try? route("del", cut.kind, source: cut.source, destination: cut.destination)
        }
        cuts = [:]
        // Each host's link first: a deleted namespace takes its end of the pair with it only later, and a
        // next network given the same number would find the name taken.
        for host in addresses.keys where host != Self.clients { try? Self.ip(["link", "del", "g\(number)\(host)"]) }
        for namespace in made { try? Self.ip(["netns", "del", namespace]) }
        made = []
        if madeBridge {
            try? Self.ip(["link", "del", bridge])
            try? FileManager.default.removeItem(atPath: Self.marker(number))
        }
        madeBridge = false
    }

    private func add(_ host: String, address: String) throws {
        guard host.count <= 8, host.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ClusterError("test host name \(host): at most 8 letters and digits")
        }
        let namespace = namespace(host), veth = "g\(number)\(host)"
        try Self.ip(["netns", "add", namespace])
        made.append(namespace)
        try Self.ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace])
        try Self.ip(["link", "set", veth, "master", bridge])
        try Self.ip(["link", "set", veth, "up"])
        try Self.ip(["netns", "exec", namespace, Self.ip ?? "ip", "link", "set", "lo", "up"])
        try Self.ip(["netns", "exec", namespace, Self.ip ?? "ip", "addr", "add", address + "/24", "dev", "eth0"])
        try Self.ip(["netns", "exec", namespace, Self.ip ?? "ip", "link", "set", "eth0", "up"])
        addresses[host] = address
    }

    private func route(_ verb: String, _ kind: String, source: String, destination: String) throws {
        let target = try address(destination) + "/32"
        if source == Self.clients {
            try Self.ip(["route", verb, kind, target])
        } else {
            try Self.ip(["netns", "exec", namespace(source), Self.ip ?? "ip", "route", verb, kind, target])
        }
    }

    /// Makes the bridge of a third octet no other network on this machine uses, and marks it as this
    /// process's; a number taken meanwhile by another run is skipped.
    private static func makeBridge() throws -> (Int, String) {
        let start = Int(getpid()) % 200
        for step in 0..<200 {
            let number = 20 + (start + step) % 200
            let bridge = "gfs\(number)br"
            guard !FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)"),
                (try? ip(["link", "add", bridge, "type", "bridge"])) != nil
            else { continue }
            try? String(getpid()).write(toFile: marker(number), atomically: true, encoding: .utf8)
            return (number, bridge)
        }
        throw ClusterError("no free 10.77.N.0/24 for the test's network")
    }

    /// The file naming the process a network belongs to (the chaos harness, which makes none, is left alone).
    private static func marker(_ number: Int) -> String { "/tmp/gfs-testnet-\(number).pid" }

    /// Removes the namespaces, links and bridges of test runs that died without tearing down.
    private static func removeAbandoned() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for file in files where file.hasPrefix("gfs-testnet-") && file.hasSuffix(".pid") {
            guard let number = Int(file.dropFirst("gfs-testnet-".count).dropLast(".pid".count)),
                let text = try? String(contentsOfFile: marker(number), encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let listing = (try? ProcessCluster.run(URL(fileURLWithPath: Self.ip ?? "ip"), ["netns", "list"], limit: 20))?.stdout ?? ""
            for line in listing.split(separator: "\n") {
                let name = String(line.split(separator: " ").first ?? "")
                if name.hasPrefix("gfs\(number)-") { try? ip(["netns", "del", name]) }
            }
            // Each host's link, which a namespace still pinned (by TIME_WAIT sockets) would keep: "g<number><host>",
            // host names starting with a letter.
            let links = (try? ProcessCluster.run(URL(fileURLWithPath: Self.ip ?? "ip"), ["-o", "link", "show"], limit: 20))?.stdout ?? ""
            for line in links.split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2)
                guard fields.count > 1, let name = fields[1].split(separator: "@").first?.trimmingCharacters(in: .whitespaces),
                      name.hasPrefix("g\(number)"), name.dropFirst("g\(number)".count).first?.isLetter == true else { continue }
                try? ip(["link", "del", name])
            }
            try? ip(["link", "del", "gfs\(number)br"])
            try? FileManager.default.removeItem(atPath: marker(number))
        }
    }

    private static func ip(_ arguments: [String]) throws {
        guard let ip else { throw ClusterError("iproute2 is not installed (Debian: apt-get install iproute2)") }
        let result = try ProcessCluster.run(URL(fileURLWithPath: ip), arguments, limit: 20)
        guard result.status == 0 else {
            throw ClusterError("ip \(arguments.joined(separator: " ")): \(result.stderr.prefix(200))")
        }
    }
}
