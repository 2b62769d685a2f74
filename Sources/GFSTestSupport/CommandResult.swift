import Foundation

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
    /// Runs `binary` with `arguments` to completion, feeding `stdin` and collecting both output streams.
    public static func run(_ binary: URL, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Feed and drain on their own threads so a full pipe never deadlocks the child.
        let writer = Thread {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let collected = CollectedOutput()
        let reader = Thread { collected.errors = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return CommandResult(status: process.terminationStatus, output: data,
                             stderr: String(decoding: collected.errors, as: UTF8.self))
    }
}

private final class CollectedOutput: @unchecked Sendable {
    // Written by the reader thread before it finishes; read only after.
    var errors = Data()
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

    /// Starts `binary arguments`, writing `stdin` (if any) and then closing it unless `keepOpen`.
    public init(_ binary: URL, _ arguments: [String], stdin: Data? = nil, keepOpen: Bool = false) throws {
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        let input = self.input
        let writer = Thread {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            if !keepOpen { try? input.fileHandleForWriting.close() }
        }
        let outputReader = Thread { [unowned self] in output = outputPipe.fileHandleForReading.readDataToEndOfFile() }
        let errorReader = Thread { [unowned self] in errors = errorPipe.fileHandleForReading.readDataToEndOfFile() }
        readers = [writer, outputReader, errorReader]
        for thread in readers { thread.start() }
    }

    /// Writes more input (for commands started with `keepOpen`).
    public func write(_ data: Data) throws { try input.fileHandleForWriting.write(contentsOf: data) }

    /// Closes the command's standard input.
    public func closeInput() { try? input.fileHandleForWriting.close() }

    /// Waits for the process and its output.
    public func wait() -> CommandResult {
        process.waitUntilExit()
        while readers.contains(where: { !$0.isFinished }) { usleep(1000) }
        return CommandResult(status: process.terminationStatus, output: output,
                             stderr: String(decoding: errors, as: UTF8.self))
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
