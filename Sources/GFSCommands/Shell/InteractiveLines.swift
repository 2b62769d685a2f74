import ArgumentParser
@preconcurrency import CReadline
import Foundation
import GFSClient
import GFSProtocol

/// Lines typed at a terminal through GNU readline: editing, history in ~/.gfs_history, tab completion of
/// command names, flags and remote paths (asked of the master as you type, cached briefly), and Ctrl-C
/// clearing the line instead of leaving. `readline()` blocks, so it runs on its own thread, never on the
/// task pool.
final class InteractiveLines: LineSource {
    private let historyPath = (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.gfs_history"

    init(master: String, timeout: Double) {
        ShellCompletion.master = master.split(separator: ",").first.flatMap { ServerID($0) }
        ShellCompletion.timeout = timeout
        gfs_set_completion(shellCompletion)
        // append_history only appends to a file that exists.
        if read_history(historyPath) != 0 { _ = write_history(historyPath) }
        // Ctrl-C at the prompt drops the line being typed and gives a fresh prompt.
        gfs_catch_interrupts()
    }

    var isInteractive: Bool { true }

    func next(prompt: String, directory: GFSPath) async -> String? {
        // Written before the readline thread starts, which orders it before any completion reads it.
        ShellCompletion.directory = directory
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let thread = Thread {
                guard let raw = gfs_readline(prompt) else {
                    continuation.resume(returning: nil)
                    return
                }
                let line = String(cString: raw)
                free(raw)
                continuation.resume(returning: line)
            }
            thread.start()
        }
        guard let line else {
            StandardStreams.output("")
            return nil
        }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(line)
            _ = append_history(1, historyPath)
        }
        return line
    }

    func finish() {
        _ = history_truncate_file(historyPath, 1000)
    }

    /// Runs a command while watching for Ctrl-C: on one, the command's task is cancelled (transfers stop at
    /// their next piece) and the prompt comes back at once with status 130, as in a Unix shell, rather than
    /// after the command has noticed.
    func run(_ command: @escaping @Sendable () async -> Int32) async -> Int32 {
        _ = gfs_take_interrupt()
        return await withCheckedContinuation { continuation in
            let outcome = FirstOutcome(continuation)
            let work = Task { outcome.resolve(await command()) }
            Task {
                while !outcome.isResolved {
                    if gfs_take_interrupt() != 0 {
                        work.cancel()
                        StandardStreams.write(text: "\n", to: 2)
                        StandardStreams.error("gfs: interrupted")
                        outcome.resolve(130)
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }
}

/// Whichever of a command and Ctrl-C comes first decides the status; the other is ignored.
private final class FirstOutcome: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`; nil once resolved.
    private var continuation: CheckedContinuation<Int32, Never>?

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    var isResolved: Bool { lock.withLock { continuation == nil } }

    func resolve(_ status: Int32) {
        let waiting = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: status)
    }
}

/// Completion state, read and written only on the readline thread (readline calls completion functions
/// synchronously from `readline()`), hence `nonisolated(unsafe)`.
enum ShellCompletion {
    nonisolated(unsafe) static var master: ServerID?
    nonisolated(unsafe) static var timeout: Double = 5
    nonisolated(unsafe) static var directory: GFSPath = .root
    nonisolated(unsafe) static var candidates: [String] = []
    nonisolated(unsafe) static var next = 0
    nonisolated(unsafe) static var listings: [GFSPath: (names: [String], at: Date)] = [:]

    static var commandNames: [String] {
        GFS.configuration.subcommands.map { $0._commandName }.filter { !Shell.unavailable.contains($0) }
            + ["cd", "pwd", "help", "exit"]
    }

    /// Candidates for `word`, given the line so far.
    static func complete(_ word: String, line: String) -> [String] {
        let before = line.split(separator: " ", omittingEmptySubsequences: true)
        let first = before.isEmpty || (before.count == 1 && !line.hasSuffix(" "))
        if first { return commandNames.filter { $0.hasPrefix(word) } }
        if word.hasPrefix("-") {
            let name = String(before[0])
            guard let command = GFS.configuration.subcommands.first(where: { $0._commandName == name }) else { return [] }
            return flags(of: command).filter { $0.hasPrefix(word) }
        }
        return remotePaths(word)
    }

    static func flags(of command: any ParsableCommand.Type) -> [String] {
        let help = command.helpMessage(columns: 200)
        var found: [String] = []
        for token in help.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }) where token.hasPrefix("--") {
            let flag = String(token.prefix { $0 != "=" && $0 != "<" })
            if !found.contains(flag) { found.append(flag) }
        }
        return found
    }

    /// Remote paths starting with `word`, from a listing of its directory (cached for two seconds).
    static func remotePaths(_ word: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let folderText = slash.map { String(word[...$0]) } ?? ""
        let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        guard let folder = GFSPath(folderText.isEmpty ? "." : folderText, relativeTo: directory) else { return [] }
        let names: [String]
        if let cached = listings[folder], Date().timeIntervalSince(cached.at) < 2 {
            names = cached.names
        } else {
            names = list(folder)
            listings[folder] = (names, Date())
        }
        return names.filter { $0.hasPrefix(prefix) }.map { folderText + $0 }
    }

    /// Asks the master for a directory's entries, blocking this (readline's) thread until it answers.
    private static func list(_ folder: GFSPath) -> [String] {
        guard let master else { return [] }
        let done = DispatchSemaphore(value: 0)
        let result = ListingBox()
        let timeout = self.timeout
        Task.detached {
            result.names = await RemoteCompletion.names(in: folder, masters: [master],
                                                        timeout: .milliseconds(Int64(min(timeout, 5) * 1000)))
            done.signal()
        }
        done.wait()
        return result.names
    }
}

private final class ListingBox: @unchecked Sendable {
    // Written by the listing task before it signals; read after the wait.
    var names: [String] = []
}

/// readline's completion hook: a plain C function (C cannot call closures that capture).
private func shellCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    gfs_no_default_completion()
    let word = text.map { String(cString: $0) } ?? ""
    let line = String(String(cString: gfs_line_buffer()).prefix(Int(start)))
    ShellCompletion.candidates = ShellCompletion.complete(word, line: line + word)
    ShellCompletion.next = 0
    if ShellCompletion.candidates.count == 1, ShellCompletion.candidates[0].hasSuffix("/") { gfs_suppress_append() }
    return rl_completion_matches(text, shellCompletionCandidate)
}

private func shellCompletionCandidate(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    guard ShellCompletion.next < ShellCompletion.candidates.count else { return nil }
    defer { ShellCompletion.next += 1 }
    return strdup(ShellCompletion.candidates[ShellCompletion.next])
}
