// Goal: Completions/ and Man/gfs.1 are generated from the command definitions and never go stale.
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
        let manual = try String(contentsOf: Self.root.appendingPathComponent("Man/gfs.1"), encoding: .utf8)
        var missing: [String] = []
        func visit(_ command: [String: Any]) {
            if let name = command["commandName"] as? String, !manual.contains(name) { missing.append(name) }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let long = name["name"] as? String, !manual.contains(long) { missing.append("--\(long)") }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { visit(sub) }
        }
        visit(try #require(json["command"] as? [String: Any]))
        #expect(missing.isEmpty, "Man/gfs.1 is stale (run `make manual`); missing: \(missing)")
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
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("every record exactly once"))
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
}
