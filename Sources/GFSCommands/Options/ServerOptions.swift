import ArgumentParser
import Dispatch
import Foundation
import GFSClient
import GFSProtocol
import Logging
import NIOConcurrencyHelpers

/// Flags every server role shares.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for this server's files (created if missing).", valueName: "folder"),
            completion: .directory)
    var dir: String

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: ArgumentHelp(
        "The cluster secret, a file only this server's user may read (default: $GFS_SECRET_FILE): every connection must prove it, and this server proves it to its peers. Without one, anyone who reaches the port is trusted.",
        valueName: "file"), completion: .file())
    var secretFile: String?

    @Option(help: ArgumentHelp("TLS on every connection: this server's certificate (PEM, naming the address it is reached at); needs --tls-key and --tls-ca.",
                               valueName: "file"), completion: .file())
    var tlsCert: String?

    @Option(help: ArgumentHelp("The private key of --tls-cert (PEM).", valueName: "file"), completion: .file())
    var tlsKey: String?

    @Option(help: ArgumentHelp("The cluster's certificate authority (PEM): every server's certificate, this one's peers' included, must be signed by it. Clients give it with --tls-ca or GFS_TLS_CA.",
                               valueName: "file"), completion: .file())
    var tlsCa: String?

    @Option(help: ArgumentHelp("Serve a status page (/), /status.json and Prometheus /metrics over HTTP on this address (port 0 picks one; STATUS tells it). Read-only and unauthenticated: bind it where only operators reach it.",
                               valueName: "host:port"))
    var http: String?

    /// The `--http` address, if given.
    func httpAddress() throws -> ServerID? { try http.map { try serverAddress($0, flag: "--http") } }

    /// Turns TLS on for everything this server accepts and opens, when configured.
    func useTLS() throws {
        guard tlsCert != nil || tlsKey != nil || tlsCa != nil else { return }
        guard let tlsCert, let tlsKey, let tlsCa else { throw ValidationError("TLS needs all of --tls-cert, --tls-key and --tls-ca") }
        TransportSecurity.use(try TransportSecurity(authority: tlsCa, certificate: tlsCert, key: tlsKey))
    }

    /// Loads the cluster secret, if one is configured, and has this process's own connections prove it.
    func useSecret() throws -> ClusterSecret? {
        let variable = ProcessInfo.processInfo.environment["GFS_SECRET_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = secretFile ?? variable else { return nil }
        let secret = try ClusterSecret.load(path)
        guard secret.principal == Principal.cluster else {
            throw ValidationError("--secret-file \(path) holds the secret of principal \(secret.principal); a server needs the cluster secret itself")
        }
        ClusterSecret.use(secret, requireProof: true)  // a role never trusts a peer that cannot prove it
        return secret
    }

    /// A logger on stderr labelled with the role, after bootstrapping swift-log once.
    func logger(_ label: String) -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Parses a `host:port` flag.
func serverAddress(_ text: String, flag: String) throws -> ServerID {
    guard let address = ServerID(text) else { throw ValidationError("\(flag): '\(text)' is not host:port") }
    return address
}

/// Checks `--listen` and `--advertise` together: a wildcard listen address names no host others could reach,
/// so it needs an advertised one, and an advertised address must itself be reachable.
func checkListen(_ listen: String, advertise: String?) throws {
    let bound = try serverAddress(listen, flag: "--listen")
    let wildcards: Set<String> = ["0.0.0.0", "0", "::", "::0", "0:0:0:0:0:0:0:0", "*"]
    guard let advertise else {
        if wildcards.contains(bound.host) {
            throw ValidationError("--listen \(listen) is every interface; give --advertise host:port, the address others reach this server at")
        }
        return
    }
    let advertised = try serverAddress(advertise, flag: "--advertise")
    if wildcards.contains(advertised.host) {
        throw ValidationError("--advertise \(advertise): give an address others can reach, not a wildcard")
    }
}

/// Tells whoever started this server where to reach it: one `READY host:port` line on stdout (the advertised
/// address, if there is one).
func announceReady(_ address: ServerID) {
    StandardStreams.output("READY \(address)")
}

/// On SIGTERM or SIGINT, a planned stop: runs `stop`, then exits 0 (within `limit` in any case). SIGKILL, a
/// crash, needs no help. A server started by `gfs up` or `gfs bench --local` also stops so once that parent is
/// gone, even by SIGKILL, which it cannot pass on (`ParentWatch`).
func onStopSignals(limit: Duration = .seconds(10), _ stop: @escaping @Sendable () async -> Void) -> [any DispatchSourceSignal] {
    let once = NIOLockedValueBox(false)
    // Ctrl-C reaches a server of `gfs up` and then `gfs up`'s SIGTERM: one stop, not two.
    let planned: @Sendable () -> Void = {
        guard once.withLockedValue({ started in defer { started = true }; return !started }) else { return }
        Task {
            try? await Task.sleep(for: limit)
            Foundation.exit(0)
        }
        Task {
            await stop()
            Foundation.exit(0)
        }
    }
    ParentWatch.onParentGone(planned)
    return [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: planned)
        source.resume()
        return source
    }
}
