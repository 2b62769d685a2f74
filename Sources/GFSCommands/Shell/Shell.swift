import ArgumentParser
import Foundation
import GFSClient
import GFSProtocol

/// `gfs shell`: every client command at a readline prompt, or from a script. Lines are parsed into the same
/// command types the CLI uses (`GFS.asyncParseAsRoot`), so there is no second implementation of any command.
struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An interactive shell (readline, history, tab completion of remote paths) or a script runner.",
        discussion: """
            At a terminal, each line is a gfs command without the `gfs` (`ls -l`, `put f /a`, `cat log`), plus \
            cd, pwd, help [command] and exit; relative remote paths start at the current directory. History is \
            kept in ~/.gfs_history. With -c, a script file, or standard input that is not a terminal, commands \
            run one per line (`;` separates, `#` comments), without prompts, stopping at the first failure \
            unless --keep-going.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these commands and exit.", valueName: "commands"))
    var commands: String?

    @Flag(help: "In a script, go on after a failing command (the exit status is still that of a failure).")
    var keepGoing = false

    @Argument(help: ArgumentHelp("A script file to run.", valueName: "script"), completion: .file())
    var script: String?

    /// Subcommands that start servers or shells: not commands to run inside one.
    static let unavailable: Set<String> = ["up", "master", "chunkserver", "shell"]

    func run() async throws {
        let reader: any LineSource
        if let commands {
            reader = ScriptLines(text: commands)
        } else if let script {
            guard let text = try? String(contentsOfFile: script, encoding: .utf8) else {
                throw GFSError(.notFound, "\(script): cannot read the script")
            }
            reader = ScriptLines(text: text)
        } else if isatty(0) != 0 {
            reader = InteractiveLines(master: cluster.masterText, timeout: cluster.timeout)
        } else {
            reader = ScriptLines(text: String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
        }
        try cluster.useSecret()  // for cd and completion; each command line resolves it again
        var session = ShellSession(master: cluster.masterText, timeout: cluster.timeout, secretFile: cluster.secretFile)
        var failure: Int32 = 0
        while let line = await reader.next(prompt: session.prompt, directory: session.directory) {
            let status = await session.run(line, with: reader)
            if session.exitRequested { break }
            guard status != 0 else { continue }
            failure = status
            if !reader.isInteractive, !keepGoing { break }
        }
        reader.finish()
        if failure != 0 { throw ExitCode(failure) }
    }
}

/// The state of one shell session: master, current directory, and how to run a line.
struct ShellSession {
    let master: String
    let timeout: Double
    /// The `--secret-file` the shell was given, passed on to each command line.
    let secretFile: String?
    var directory: GFSPath = .root
    /// Set by `exit`: the shell ends after this line.
    var exitRequested = false

    init(master: String, timeout: Double, secretFile: String? = nil) {
        self.master = master
        self.timeout = timeout
        self.secretFile = secretFile
    }

    var prompt: String { "gfs \(master.split(separator: ",").first ?? ""):\(directory)> " }

    /// Runs every command on the line; returns 0, or the exit status of the first that failed.
    mutating func run(_ line: String, with reader: any LineSource) async -> Int32 {
        let commands: [[String]]
        do { commands = try ShellTokenizer.commands(line) } catch {
            StandardStreams.error("gfs: \(error)")
            return ExitStatus.usage
        }
        for words in commands {
            let status = await runCommand(words, with: reader)
            if status != 0 { return status }
        }
        return 0
    }

    private mutating func runCommand(_ words: [String], with reader: any LineSource) async -> Int32 {
        guard let name = words.first else { return 0 }
        switch name {
        case "exit", "quit":
            exitRequested = true
            return 0
        case "pwd":
            StandardStreams.output(directory.string)
            return 0
        case "cd":
            return await changeDirectory(words.count > 1 ? words[1] : "/")
        case "help":
            return help(words.dropFirst().first)
        default:
            break
        }
        guard !Shell.unavailable.contains(name) else {
            StandardStreams.error("gfs: \(name) is not available inside the shell")
            return ExitStatus.usage
        }
        var arguments = words
        if !arguments.contains("--master") { arguments += ["--master", master] }
        if let secretFile, !arguments.contains("--secret-file") { arguments += ["--secret-file", secretFile] }
        let directory = self.directory
        return await reader.run { [arguments] in
            do {
                var command = try await GFS.asyncParseAsRoot(arguments)
                try await ShellContext.$workingDirectory.withValue(directory) {
                    if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
                }
                return 0
            } catch {
                return GFS.report(error)
            }
        }
    }

    private mutating func changeDirectory(_ target: String) async -> Int32 {
        guard let path = GFSPath(target, relativeTo: directory), let address = ServerID(master.split(separator: ",")[0]) else {
            StandardStreams.error("gfs: cd: bad path \(target)")
            return ExitStatus.usage
        }
        let client = Client(master: address, timeout: .milliseconds(Int64(timeout * 1000)))
        defer { Task { await client.close() } }
        let entry: EntryInfo
        do { entry = try await client.master.stat(path) } catch {
            StandardStreams.error("gfs: cd: \(error.message)")
            return error.code.exitCode
        }
        guard entry.kind == .directory else {
            StandardStreams.error("gfs: cd: \(path): not a directory")
            return GFSError.Code.notDirectory.exitCode
        }
        directory = path
        return 0
    }

    private func help(_ name: String?) -> Int32 {
        guard let name else {
            StandardStreams.output("commands: " + GFS.configuration.subcommands.map { $0._commandName }
                .filter { !Shell.unavailable.contains($0) }.joined(separator: " ") + " cd pwd help exit")
            StandardStreams.output("help COMMAND shows a command's options; relative paths start at \(directory)")
            return 0
        }
        guard let command = GFS.configuration.subcommands.first(where: { $0._commandName == name }) else {
            StandardStreams.error("gfs: help: no command \(name)")
            return ExitStatus.usage
        }
        StandardStreams.output(command.helpMessage(columns: 100))
        return 0
    }
}
