import ArgumentParser
import Dispatch
import Foundation
import GFSClient
import GFSProtocol

/// `gfs up`: a whole local cluster in the foreground, as child processes of this one.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a local cluster (a master and chunkservers) in the foreground; Ctrl-C stops it.",
        discussion: """
            The master listens on 127.0.0.1:PORT and chunkserver i on PORT+i, with their data under DIR/master \
            and DIR/chunkserver-i. Client commands find this cluster with no flags.
            """)

    @Option(help: ArgumentHelp("Folder holding every server's data.", valueName: "folder"), completion: .directory)
    var dir: String = "gfs-data"

    @Option(help: "Number of chunkservers.")
    var chunkservers = 3

    @Option(help: "Master port; chunkservers take the ports after it.")
    var port = 7700

    @Option(help: "Bytes per chunk.")
    var chunkSize = ByteSize(bytes: 64 << 20)

    @Option(help: "Log level for the servers.")
    var logLevel = "info"

    func validate() throws {
        guard (1...64).contains(chunkservers) else { throw ValidationError("--chunkservers must be 1...64") }
        guard (1...(65535 - chunkservers)).contains(port) else { throw ValidationError("--port out of range") }
    }

    func run() async throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let master = "127.0.0.1:\(port)"
        var children: [Child] = []
        let replication = min(3, chunkservers)
        children.append(try Self.launch(binary, ["master", "--dir", "\(dir)/master", "--listen", master,
                                                 "--replication", String(replication), "--chunk-size",
                                                 String(chunkSize.bytes), "--log-level", logLevel]))
        // Chunkservers that start before the master listens would only log retries.
        _ = await Self.waitUntilUp(master: master, chunkservers: 0, group: ProcessGroup(children))
        for index in 1...chunkservers {
            children.append(try Self.launch(binary, [
                "chunkserver", "--dir", "\(dir)/chunkserver-\(index)", "--listen", "127.0.0.1:\(port + index)",
                "--master", master, "--log-level", logLevel,
            ]))
        }
        let group = ProcessGroup(children)
        group.stopOnSignals()
        if await Self.waitUntilUp(master: master, chunkservers: chunkservers, group: group) {
            StandardStreams.error("gfs up: master \(master), \(chunkservers) chunkservers, data in \(dir); Ctrl-C stops")
        }
        let status = await group.waitForFirstExit()
        throw ExitCode(status)
    }

    /// Starts one server; its stderr goes to `log`, or to ours.
    static func launch(_ binary: URL, _ arguments: [String], log: FileHandle? = nil) throws -> Child {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        if let log { process.standardError = log }
        let exit = ChildExit(process)
        try process.run()
        return Child(process: process, exit: exit)
    }

    /// Polls the master until every chunkserver has registered, or a child died.
    static func waitUntilUp(master: String, chunkservers: Int, group: ProcessGroup) async -> Bool {
        guard let address = ServerID(master) else { return false }
        let client = Client(master: address, timeout: .seconds(2))
        defer { Task { await client.close() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, group.allRunning {
            if let status = try? await client.master.status(), status.summaries.filter(\.alive).count >= chunkservers {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// One server started by `gfs up`.
struct Child {
    var process: Process
    var exit: ChildExit
}

/// The children of `gfs up`: stopped together on SIGINT or SIGTERM, or when any one of them exits.
final class ProcessGroup: @unchecked Sendable {
    // Process is not Sendable; every access after launch is a read of its state or a signal.
    private let children: [Child]
    private var sources: [any DispatchSourceSignal] = []

    init(_ children: [Child]) { self.children = children }

    var allRunning: Bool { !children.contains { $0.exit.hasExited } }

    func stopOnSignals() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                StandardStreams.error("gfs up: stopping")
                stopAll()
                Foundation.exit(0)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// SIGTERM to every child; one that has not exited 10 s later gets SIGKILL.
    func stopAll() {
        for child in children where !child.exit.hasExited { child.process.terminate() }
        for child in children { child.exit.waitOrKill(child.process, grace: 10) }
    }

    /// Waits until any child exits, stops the rest, and returns a status for this process. Ctrl-C reaches
    /// the children too (they share the terminal's process group), so a child ended by SIGINT or SIGTERM is
    /// a requested stop, not a failure.
    func waitForFirstExit() async -> Int32 {
        while allRunning { try? await Task.sleep(for: .milliseconds(200)) }
        let ended = children.first { $0.exit.hasExited }?.process
        let requested = ended.map { $0.terminationReason == .uncaughtSignal
            && [SIGINT, SIGTERM].contains($0.terminationStatus) } ?? false
        if !requested {
            StandardStreams.error("gfs up: a server exited (status \(ended?.terminationStatus ?? -1)); stopping the rest")
        }
        stopAll()
        return requested ? 0 : 1
    }
}
