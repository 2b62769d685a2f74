import Foundation
import GFSProtocol

/// Where the shell's lines come from.
protocol LineSource {
    /// Whether a person is typing (prompts, history, completion).
    var isInteractive: Bool { get }
    /// The next line, or nil at the end; `directory` is where relative paths (and their completion) start.
    func next(prompt: String, directory: GFSPath) async -> String?
    /// Called once when the shell ends.
    func finish()
    /// Runs one command and returns its exit status; at a terminal, Ctrl-C ends it early with 130.
    func run(_ command: @escaping @Sendable () async -> Int32) async -> Int32
}

extension LineSource {
    func run(_ command: @escaping @Sendable () async -> Int32) async -> Int32 { await command() }
}

/// Lines of a script (`-c`, a file, or piped standard input).
final class ScriptLines: LineSource {
    private var lines: [Substring]
    private var index = 0

    init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    var isInteractive: Bool { false }

    func next(prompt: String, directory: GFSPath) async -> String? {
        guard index < lines.count else { return nil }
        defer { index += 1 }
        return String(lines[index])
    }

    func finish() {}
}
