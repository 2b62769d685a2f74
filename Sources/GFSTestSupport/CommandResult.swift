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
