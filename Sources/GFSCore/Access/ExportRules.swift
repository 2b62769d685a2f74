/// Who may do what, from where (the master's `--exports` file, after MooseFS's mfsexports.cfg). One rule per
/// line, `#` starts a comment:
///
///     ADDRESS          PATH          OPTIONS
///     *                /             ro
///     127.0.0.0/8      /home/alice   rw,principal=alice,maxrep=3
///     10.1.0.0/16      /             rw,admin,principal=ops
///
/// ADDRESS is `*`, an IPv4 or IPv6 address, or a CIDR range. OPTIONS, separated by commas: `ro` or `rw`,
/// `admin` (GC, TUNE, DRAIN, PROMOTE and FSCK of the whole tree), `principal=NAME` (else any principal),
/// `minrep=N` and `maxrep=N` (replication of files created under the rule's path is clamped to them).
/// A request is allowed when any rule matching the caller's principal and address grants it. The cluster
/// principal (the roles' own) is not subject to the rules.
public struct ExportRules: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var addresses: AddressRange
        public var path: GFSPath
        public var writable = false
        public var admin = false
        public var principal: String?
        public var minimumReplication = 1
        public var maximumReplication = 16

        func matches(principal caller: String, address: [UInt8]?) -> Bool {
            (principal == nil || principal == caller) && addresses.contains(address)
        }
    }

    public var rules: [Rule]

    /// No file: every authenticated principal may do everything.
    public static let open = ExportRules(rules: [Rule(addresses: .any, path: .root, writable: true, admin: true)])

    public init(rules: [Rule]) { self.rules = rules }

    /// Parses an exports file's text; the error names the line at fault.
    public init(parsing text: String) throws(GFSError) {
        var rules: [Rule] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            do { rules.append(try Self.rule(words.map(String.init))) } catch {
                throw GFSError(.badRequest, "exports line \(number + 1): \(error.message)")
            }
        }
        self.init(rules: rules)
    }

    private static func rule(_ words: [String]) throws(GFSError) -> Rule {
        guard words.count == 2 || words.count == 3 else {
            throw GFSError(.badRequest, "want ADDRESS PATH [OPTIONS], got \(words.count) words")
        }
        guard let addresses = AddressRange(words[0]) else {
            throw GFSError(.badRequest, "'\(words[0])' is not *, an address or an address/bits range")
        }
        guard let path = GFSPath(absolute: words[1]) else {
            throw GFSError(.badRequest, "'\(words[1])' is not an absolute path")
        }
        var rule = Rule(addresses: addresses, path: path)
        for option in words.count == 3 ? words[2].split(separator: ",").map(String.init) : [] {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            switch (parts.first ?? "", parts.count == 2 ? parts[1] : nil) {
            case ("ro", nil): rule.writable = false
            case ("rw", nil): rule.writable = true
            case ("admin", nil): rule.admin = true
            case let ("principal", name?):
                guard Principal.isValid(name) else { throw GFSError(.badRequest, "principal=\(name): \(Principal.rule)") }
                rule.principal = name
            case let ("minrep", value?):
                rule.minimumReplication = try replication(value, option)
            case let ("maxrep", value?):
                rule.maximumReplication = try replication(value, option)
            default:
                throw GFSError(.badRequest, "unknown option '\(option)' (ro, rw, admin, principal=NAME, minrep=N, maxrep=N)")
            }
        }
        guard rule.minimumReplication <= rule.maximumReplication else {
            throw GFSError(.badRequest, "minrep \(rule.minimumReplication) is above maxrep \(rule.maximumReplication)")
        }
        return rule
    }

    private static func replication(_ text: String, _ option: String) throws(GFSError) -> Int {
        guard let value = Int(text), (1...16).contains(value) else { throw GFSError(.badRequest, "\(option): want 1 to 16") }
        return value
    }

    /// What a request needs of its caller.
    public enum Need: Sendable, Equatable {
        case read(GFSPath)
        case write(GFSPath)
        case admin
        /// Only the roles themselves (the cluster principal).
        case member
    }

    /// Checks one need of a caller that is not the cluster principal; returns the rule that grants it (for a
    /// write, whose replication bounds then apply), or DENIED naming what was missing.
    @discardableResult
    public func check(_ need: Need, principal: String, address: [UInt8]?) throws(GFSError) -> Rule {
        let matching = rules.lazy.filter { $0.matches(principal: principal, address: address) }
        let granted: Rule?
        switch need {
        case let .read(path): granted = matching.first { path.isDescendant(of: $0.path) }
        case let .write(path): granted = matching.first { $0.writable && path.isDescendant(of: $0.path) }
        case .admin: granted = matching.first { $0.admin }
        case .member: granted = nil
        }
        guard let granted else { throw GFSError(.denied, "\(principal) may not \(need.text) (see the master's --exports)") }
        return granted
    }
}

extension ExportRules.Rule {
    /// `replication` brought within the rule's bounds.
    public func clamp(_ replication: Int) -> Int { min(max(replication, minimumReplication), maximumReplication) }
}

extension ExportRules.Need {
    var text: String {
        switch self {
        case let .read(path): return "read \(path)"
        case let .write(path): return "change \(path)"
        case .admin: return "administer the cluster"
        case .member: return "act as a master or chunkserver"
        }
    }
}

/// Names of principals: what `HELLO principal=` and tokens carry.
public enum Principal {
    /// The principal of every holder of the cluster secret: the roles, and whoever administers the cluster.
    public static let cluster = "cluster"
    public static let rule = "a principal is 1 to 64 letters, digits, '-' or '_'"

    public static func isValid(_ name: some StringProtocol) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95
        }
    }
}
