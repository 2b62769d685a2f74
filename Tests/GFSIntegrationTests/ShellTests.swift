// Goal: `gfs shell` runs the CLI's commands from scripts and at a real terminal: scripts stop at the first
// failure with its status, relative paths follow `cd`, and at a prompt TAB completes remote paths, history
// survives a restart and Ctrl-C does not leave. Method: real cluster; the interactive shell runs in tmux.
import Foundation
import GFSTestSupport
import Testing

@Suite(.serialized) struct ShellTests {
    static let flags = ["--replication", "1", "--chunk-size", "64K"]

    @Test func scriptsFromStandardInputAndMinusC() async throws {
        try await withCluster(chunkservers: 1, master: Self.flags) { cluster in
            let script = """
                # comments and blank lines are skipped

                mkdir -p /logs/app
                cd /logs ; pwd
                mkdir app/today
                ls app
                cat app/missing
                ls /
                """
            let failing = try cluster.gfs(["shell"], stdin: Data(script.utf8))
            #expect(failing.status == 1)
            #expect(failing.stdout == "/logs\ntoday\n")
            #expect(failing.stderr == "gfs: /logs/app/missing: no such file or directory\n")
            let going = try cluster.gfs(["shell", "--keep-going"], stdin: Data(script.utf8))
            #expect(going.status == 1)
            #expect(going.stdout.hasSuffix("logs\n"), "--keep-going runs the lines after the failure")
            let oneLiner = try cluster.gfs(["shell", "-c", "ls /; stat /logs"])
            #expect(oneLiner.status == 0)
            #expect(oneLiner.stdout.hasPrefix("logs\npath\t/logs\ntype\tdirectory\n"))
            let file = cluster.root.appendingPathComponent("script.gfs")
            try Data("mkdir /from-file\nexit\nmkdir /never\n".utf8).write(to: file)
            #expect(try cluster.gfs(["shell", file.path]).status == 0)
            #expect(try cluster.gfs(["ls", "/"]).stdout == "from-file\nlogs\n")
            #expect(try cluster.gfs(["shell", "-c", "up"]).stderr == "gfs: up is not available inside the shell\n")
            let unterminated = try cluster.gfs(["shell", "-c", "ls '/logs"])
            #expect(unterminated.status == 2 && unterminated.stderr.hasPrefix("gfs: "), "a line that cannot be parsed is a usage error")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
    func interactiveCompletionHistoryAndControlC() async throws {
        try await withCluster(chunkservers: 1, master: Self.flags) { cluster in
            #expect(try cluster.gfs(["mkdir", "-p", "/logs/application"]).status == 0)
            #expect(try cluster.gfs(["put", "-", "/logs/application/big"], stdin: Data(count: 100 << 10)).status == 0)
            let hanging = try SilentListener()
            let home = cluster.root.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let session = "gfs-test-\(UUID().uuidString.prefix(8))"
            // A tmux server of our own (not the user's), with no configuration, killed at the end.
            func tmux(_ arguments: [String]) throws -> String {
                try ProcessCluster.run(URL(fileURLWithPath: "/usr/bin/tmux"), ["-L", session, "-f", "/dev/null"] + arguments).stdout
            }
            func start() throws {
                // The tmux server outlives this call, so it must inherit none of our descriptors: Foundation
                // learns that a child exited when a socket shared with it closes, and a daemon holding that
                // socket (or our stdout) would make this call wait forever.
                let command = "env HOME=\(home.path) \(ProcessCluster.binary.path) shell --master \(cluster.masterAddress)"
                _ = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [
                    "-c", """
                    for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
                    exec tmux -L \(session) -f /dev/null new-session -d -s \(session) -x 150 -y 30 '\(command)' \
                        </dev/null >/dev/null 2>&1
                    """,
                ], limit: 20)
            }
            defer {
                // The shells in the panes first, by pid: kill-server alone may leave them (and itself) running.
                for pid in ((try? tmux(["list-panes", "-a", "-F", "#{pane_pid}"])) ?? "").split(separator: "\n") {
                    if let pid = Int32(pid) { kill(pid, SIGKILL) }
                }
                _ = try? tmux(["kill-server"])
            }
            func screen() throws -> String { try tmux(["capture-pane", "-t", session, "-p"]) }
            try start()
            try await waitUntil("the prompt") { try screen().contains("gfs \(cluster.masterAddress):/>") }
            _ = try tmux(["send-keys", "-t", session, "ls /logs/app", "Tab"])
            try await waitUntil("TAB to complete the remote path") { try screen().contains("ls /logs/application/") }
            _ = try tmux(["send-keys", "-t", session, "C-c"])
            // The shell survives Ctrl-C; C-u (readline's kill-line) clears whatever is left of the line.
            _ = try tmux(["send-keys", "-t", session, "C-u", "cd /logs", "Enter"])
            try await waitUntil("cd to change the prompt after Ctrl-C") { try screen().contains(":/logs>") }
            _ = try tmux(["send-keys", "-t", session, "C-d"])
            try await waitUntil("Ctrl-D to leave") { !(try tmux(["list-sessions"]).contains(session)) }
            try start()
            try await waitUntil("the prompt again") { try screen().contains("gfs \(cluster.masterAddress):/>") }
            _ = try tmux(["send-keys", "-t", session, "Up"])
            try await waitUntil("history from the last session") { try screen().contains("cd /logs") }
            _ = try tmux(["send-keys", "-t", session, "Enter", "ls -l -h application", "Enter"])
            // At a terminal, columns are aligned with spaces (a tab would show as a run of up to 8) and -h
            // prints sizes as ls -h does.
            try await waitUntil("an aligned, human-readable listing") { try screen().contains("-  1  100K  ") }
            _ = try tmux(["send-keys", "-t", session, "ls --timeout 60 --master \(hanging.address) /", "Enter"])
            try await waitUntil("the command to be under way") { hanging.hasBeenCalled }
            _ = try tmux(["send-keys", "-t", session, "C-c"])
            try await waitUntil("Ctrl-C to end the hanging command", within: .seconds(10)) { try screen().contains("gfs: interrupted") }
            _ = try tmux(["send-keys", "-t", session, "pwd", "Enter"])
            try await waitUntil("the shell to go on after an interrupted command") {
                try screen().split(separator: "\n").contains { $0 == "/logs" }
            }
        }
    }
}
