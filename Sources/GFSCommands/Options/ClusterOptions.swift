import ArgumentParser
import GFSClient
import GFSProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The flags every client command shares: which master, and how long to wait.
struct ClusterOptions: ParsableArguments {
    /// The address `gfs up` starts the master on, and where clients look when told nothing else.
    static let defaultMaster = "127.0.0.1:7700"

    @Option(name: .long, help: ArgumentHelp(
        "Master address host:port, or a comma-separated list of the primary and its shadows (default: $GFS_MASTER or \(defaultMaster)).",
        valueName: "address"))
    var master: String?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds to go on waiting, through master restarts and missing servers, with no progress before giving up with status 3.",
        valueName: "seconds"))
    var timeout: Double = 30

    @Option(name: .long, help: ArgumentHelp(
        "The cluster secret, a file only you may read (default: $GFS_SECRET_FILE, else ~/.config/gfs/secret if there is one; gfs up writes that one).",
        valueName: "file"), completion: .file())
    var secretFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Speak TLS, trusting servers whose certificates this authority signed (PEM; default: $GFS_TLS_CA).",
        valueName: "file"), completion: .file())
    var tlsCa: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Read replicas on this machine straight from their files, verifying their checksums here (with --no-local-reads, over their chunkservers' sockets like any other)."))
    var localReads = true

    /// The secret file this client proves, if any.
    var secretPath: String? { Self.secretPath(given: secretFile) }

    /// The secret file to prove: the one given, else `$GFS_SECRET_FILE` (set but empty: none), else the default
    /// place if there is one there.
    static func secretPath(given: String?) -> String? {
        if let given { return given }
        if let variable = getenv("GFS_SECRET_FILE").map({ String(cString: $0) }) { return variable.isEmpty ? nil : variable }
        let path = ClusterSecret.defaultPath
        return access(path, F_OK) == 0 ? path : nil
    }

    /// Has this process's connections prove the secret found, if any. One named (by flag or variable) is
    /// required of servers too: a server that cannot prove it is refused. One found only in the default
    /// place is proved where asked, so clusters started without a secret stay reachable.
    func useSecret() throws(GFSError) {
        let named = secretFile != nil || getenv("GFS_SECRET_FILE").map({ String(cString: $0) }).map { !$0.isEmpty } == true
        let secret = try secretPath.map { (path) throws(GFSError) in try ClusterSecret.load(path) }
        ClusterSecret.use(secret, requireProof: named)
        let authority = tlsCa ?? getenv("GFS_TLS_CA").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        TransportSecurity.use(try authority.map { (path) throws(GFSError) in try TransportSecurity(authority: path) })
    }

    func validate() throws {
        guard addresses != nil else { throw ValidationError("bad master address '\(masterText)'; use host:port[,host:port]") }
        guard timeout > 0, timeout <= 31_536_000 else { throw ValidationError("--timeout must be positive and at most a year") }
    }

    var masterText: String {
        master ?? getenv("GFS_MASTER").map { String(cString: $0) } ?? Self.defaultMaster
    }

    /// The master addresses given, in order.
    var addresses: [ServerID]? {
        let parts = masterText.split(separator: ",").map { ServerID($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 }
    }

    /// A client of the chosen master(s).
    func client(staleReads: Bool = false) throws(GFSError) -> Client {
        guard let addresses else { throw GFSError(.badRequest, "bad master address \(masterText)") }
        try useSecret()
        return Client(masters: addresses, timeout: .milliseconds(Int64(timeout * 1000)), staleReads: staleReads,
                      localReads: localReads, waiting: StandardStreams.isTerminal(2) ? WaitNotice.show : nil)
    }
}

/// Turns a user's path argument into a remote path: absolute paths as given, relative ones from the shell's
/// current directory (`/` outside the shell).
func remotePath(_ text: String) throws(GFSError) -> GFSPath {
    guard let path = GFSPath(text, relativeTo: ShellContext.workingDirectory) else {
        throw GFSError(.badRequest, "bad remote path '\(text)'")
    }
    return path
}
