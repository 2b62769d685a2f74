import Foundation
import GFSClient
import NIOConcurrencyHelpers

/// What a finished `gfs` command did.
public struct CommandResult: Sendable {
    /// Exit status.
    public var status: Int32
    /// Everything on stdout.
    public var output: Data
    /// Everything on stderr, as text.
    public var stderr: String
    /// Stdout as text.
    public var stdout: String { String(decoding: output, as: UTF8.self) }
}

extension ProcessCluster {
    /// Runs `binary` with `arguments` to completion, feeding `stdin` and collecting both output streams; a
    /// command still running after `limit` seconds is killed (and its stderr says so), so no test hangs.
    public static func run(_ binary: URL, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String] = [:], limit: TimeInterval = 120) throws -> CommandResult {
        try RunningCommand(binary, arguments, stdin: stdin, environment: environment).wait(within: limit)
    }
}

/// Polls `condition` until it holds or `limit` passes; the failure names what was awaited.
public func waitUntil(_ what: String, within limit: Duration = .seconds(20),
                      _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if (try? condition()) == true { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ClusterError("timed out after \(limit) waiting for \(what)")
}

/// A `gfs` client process started in the background, fed from a thread, collected by `wait()`.
public final class RunningCommand: @unchecked Sendable {
    // The threads write `errors` and `output` before finishing; they are read only after both finished.
    public let process = Process()
    private var output = Data()
    private var errors = Data()
    private var readers: [Thread] = []
    private let input = Pipe()
    private let outputPipe = Pipe(), errorPipe = Pipe()

    private let exit: ChildExit

    /// Starts `binary arguments`, writing `stdin` (if any) and then closing it unless `keepOpen`.
    public init(_ binary: URL, _ arguments: [String], stdin: Data? = nil, keepOpen: Bool = false,
                environment: [String: String] = [:]) throws {
        let (outputPipe, errorPipe) = (self.outputPipe, self.errorPipe)
        // A command that exits before reading all its stdin (a refused `put -`) must fail the test, not end the
        // test process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        exit = ChildExit(process)
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        let input = self.input
        let writer = Thread {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            if !keepOpen { try? input.fileHandleForWriting.close() }
        }
        let outputReader = Thread { [self] in output = outputPipe.fileHandleForReading.readDataToEndOfFile() }
        let errorReader = Thread { [self] in errors = errorPipe.fileHandleForReading.readDataToEndOfFile() }
        readers = [writer, outputReader, errorReader]
        for thread in readers { thread.start() }
    }

    /// Writes more input (for commands started with `keepOpen`).
    public func write(_ data: Data) throws { try input.fileHandleForWriting.write(contentsOf: data) }

    /// Closes the command's standard input.
    public func closeInput() { try? input.fileHandleForWriting.close() }

    /// Waits for the process and its output; a process still running after `limit` seconds is killed.
    public func wait(within limit: TimeInterval = 120) -> CommandResult {
        let killed = exit.waitOrKill(process, grace: limit)
        // Output ends when the last holder of the pipes exits; a stray grandchild must not hang us either.
        let deadline = Date().addingTimeInterval(10)
        while readers.contains(where: { !$0.isFinished }), Date() < deadline { usleep(1000) }
        guard exit.hasExited, !readers.contains(where: { !$0.isFinished }) else {
            return CommandResult(status: -1, output: Data(), stderr: "test harness: the command did not end\n")
        }
        // Foundation keeps finished Process objects (and so their pipes) alive: closed here, or the test process
        // runs out of descriptors, and Process.run's scan of /proc/self/fd overruns its buffer and crashes
        // (swift-corelibs-foundation #5472).
        for handle in [outputPipe.fileHandleForReading, errorPipe.fileHandleForReading, input.fileHandleForWriting] {
            try? handle.close()
        }
        let note = killed ? "test harness: killed after \(Int(limit)) s\n" : ""
        return CommandResult(status: process.terminationStatus, output: output,
                             stderr: String(decoding: errors, as: UTF8.self) + note)
    }
}

extension ProcessCluster {
    /// Starts `gfs ARGUMENTS --master <this cluster>` in the background.
    public func start(_ arguments: [String], stdin: Data? = nil, keepOpen: Bool = false) throws -> RunningCommand {
        try RunningCommand(Self.binary, arguments + ["--master", masterAddress], stdin: stdin, keepOpen: keepOpen)
    }

    /// The current lease on the file's last chunk, as `LEASE` fields.
    public func leaseOnLastChunk(_ path: String) throws -> [String: String] {
        let socket = try RawSocket(masterAddress)
        socket.send("LOOKUP \(path)\n")
        let head = socket.readLines(1).first ?? ""
        let count = Int(head.split(separator: " ").first { $0.hasPrefix("n=") }?.dropFirst(2) ?? "0") ?? 0
        let chunks = socket.readLines(count)
        guard let handle = chunks.last?.split(separator: " ").first(where: { $0.hasPrefix("handle=") }) else {
            throw ClusterError("\(path) has no chunks")
        }
        socket.send("LEASE \(handle)\n")
        return Self.fields(socket.readLines(1).first ?? "")
    }

    /// The `key=value` fields of a protocol line (values left encoded).
    public static func fields(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        for token in line.split(separator: " ") {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}

/// A flag one task sets and another polls (a background load told to stop).
public final class LockedFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    public init() {}
    public var isSet: Bool { value.withLockedValue { $0 } }
    public func set() { value.withLockedValue { $0 = true } }
}

/// A count one task raises and another reads (rounds of a background load).
public final class LockedCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    public init() {}
    public var count: Int { value.withLockedValue { $0 } }
    public func increment() { value.withLockedValue { $0 += 1 } }
}
