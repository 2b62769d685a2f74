// Goal: Completions/ and the pages in Man/ are generated from the command definitions and never go stale.
// Method: regenerate the completion scripts with the real binary and compare byte for byte; check that the
// manual names every subcommand and every option the binary's help dump lists.
import Foundation
import GFSTestSupport
import Testing

@Suite struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: [("bash", "gfs.bash"), ("zsh", "_gfs"), ("fish", "gfs.fish")])
    func completionScriptsAreCurrent(shell: String, file: String) throws {
        let generated = try ProcessCluster.run(ProcessCluster.binary, ["--generate-completion-script", shell])
        let committed = try String(contentsOf: Self.root.appendingPathComponent("Completions/\(file)"), encoding: .utf8)
        #expect(generated.stdout == committed, "Completions/\(file) is stale: run `make completions`")
    }

    @Test func manualNamesEveryCommandAndOption() throws {
        let dump = try ProcessCluster.run(ProcessCluster.binary, ["--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: dump.output) as? [String: Any])
        let folder = Self.root.appendingPathComponent("Man")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".1") }
        let manual = try pages.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined()
        var missing: [String] = []
        // One page per command, named like git's: gfs-cat(1), gfs-quota-set(1) for `gfs quota set`.
        func visit(_ command: [String: Any], parents: [String] = []) {
            if let name = command["commandName"] as? String, !manual.contains(name) { missing.append(name) }
            let page = (["gfs"] + parents.dropFirst() + [command["commandName"] as? String ?? "?"]).joined(separator: "-") + ".1"
            if !parents.isEmpty, !pages.contains(page) { missing.append(page) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let long = name["name"] as? String, !manual.contains(long) { missing.append("--\(long)") }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                visit(sub, parents: parents + [command["commandName"] as? String ?? "?"])
            }
        }
        visit(try #require(json["command"] as? [String: Any]))
        #expect(missing.isEmpty, "Man/ is stale (run `make manual`); missing: \(missing)")
    }
}

@Suite struct ExampleScriptTests {
    /// Every runnable example works against a real cluster.
    @Test func localClusterExampleRuns() throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/local-cluster.sh")
        let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("round trip ok: 5000000 bytes"))
    }

    @Test func appendDemoRuns() throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/append-demo.sh")
        let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("every record exactly once"))
    }

    /// The write bound script runs a round and prints its ratio (8 MiB, no settling: a smoke run).
    @Test func writeBoundBenchmarkRuns() throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/bench-write-bound.sh")
        let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, "8", "1", "0", ProcessCluster.binary.path],
                                            limit: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("round 1: 3 writers + fdatasync"), "\(result.stdout)")
        #expect(result.stdout.contains("settle 0 s; median ratio"), "\(result.stdout)")
    }

    /// The cron job is silent on a healthy cluster and speaks up, with fsck's status, when a chunk is short.
    @Test func nightlyJobMailsOnlyOnTrouble() async throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/nightly-fsck-gc.sh")
        try await withCluster(chunkservers: 3, master: ["--chunk-size", "64K", "--heartbeat-timeout", "2s", "--clones-total", "0"]) { cluster in
            #expect(try cluster.gfs(["put", "-", "/f"], stdin: Data("x".utf8)).status == 0)
            let environment = ["GFS_MASTER": cluster.masterAddress]
            let healthy = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path],
                                                 environment: environment)
            #expect(healthy.status == 0 && healthy.stdout.isEmpty, "\(healthy.stdout)\(healthy.stderr)")
            cluster.kill(cluster.chunkservers[0])
            try await waitUntil("the master to see the loss") { try cluster.gfs(["fsck"]).status == 4 }
            let troubled = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path],
                                                  environment: environment)
            #expect(troubled.status == 4)
            #expect(troubled.stdout.contains("found trouble") && troubled.stdout.contains("under-replicated"))
        }
    }

    /// The here-document shell script and the raw protocol example run and say what they should.
    @Test func shellScriptExampleRuns() throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/shell-script.sh")
        let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("numbers\nnumbers.bak\n") && result.stdout.contains("failing script exited 1"))
        #expect(result.stdout.hasSuffix("stopped at the failure\n"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/nc")))
    func rawProtocolExampleRuns() throws {
        let script = GeneratedFilesTests.root.appendingPathComponent("Examples/raw-protocol.sh")
        let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), [script.path, ProcessCluster.binary.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ENTRY path=/raw/hello%20world") && result.stdout.contains("ERR NOTFOUND /nope"))
    }

    /// The generated bash completion, sourced into a real bash: commands, flags, and remote paths that the
    /// script gets by calling back into gfs, which asks the master.
    @Test func bashCompletesCommandsFlagsAndRemotePaths() async throws {
        try await withCluster(chunkservers: 1, master: ["--replication", "1", "--chunk-size", "64K"]) { cluster in
            #expect(try cluster.gfs(["mkdir", "-p", "/logs/application"]).status == 0)
            let completions = GeneratedFilesTests.root.appendingPathComponent("Completions/gfs.bash")
            let script = """
                source '\(completions.path)'
                complete -p gfs
                words() {
                    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                    _gfs gfs "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                    echo "$* => ${COMPREPLY[*]}"
                }
                words gfs fs
                words gfs fsck --locat
                words gfs cat /logs/app
                """
            let folder = ProcessCluster.binary.deletingLastPathComponent().path
            let path = folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let result = try ProcessCluster.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script],
                                                environment: ["PATH": path, "GFS_MASTER": cluster.masterAddress])
            #expect(result.stdout.contains("complete -o filenames -F _gfs gfs"))
            #expect(result.stdout.contains("gfs fs => fsck\n"))
            #expect(result.stdout.contains("gfs fsck --locat => --locations\n"))
            #expect(result.stdout.contains("gfs cat /logs/app => /logs/application/\n"), "\(result.stdout)\(result.stderr)")
        }
    }
}
