import ArgumentParser
import GFSProtocol
import Logging

/// Flags every server role shares.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder for this server's files (created if missing).", valueName: "folder"),
            completion: .directory)
    var dir: String

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

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

/// Tells whoever started this server where it listens: one `READY host:port` line on stdout.
func announceReady(_ address: ServerID) {
    StandardStreams.output("READY \(address)")
}
