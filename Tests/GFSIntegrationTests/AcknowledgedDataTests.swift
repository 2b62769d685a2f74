// Goal: nothing acknowledged is lost when a chunkserver is stopped past the heartbeat timeout and comes back
// (DESIGN.md §6: a replica that missed a mutation is never current again).
// Method: a real cluster; SIGSTOP one chunkserver while `gfs append` runs, SIGCONT it, let the cluster heal,
// then SIGKILL the other two, so the replica that was stopped is the only one left to read from.
import Foundation
import GFSCore
import GFSTestSupport
import Testing

@Suite(.serialized) struct AcknowledgedDataTests {
    static func records(_ range: ClosedRange<Int>) -> Data {
        Data(range.map { "record \($0) " + String(repeating: "x", count: $0 % 40) + "\n" }.joined().utf8)
    }

    /// The reproduction from the fault-injection issue: before the fix, the stopped replica kept the current
    /// version, was called healthy, and `gfs cat` from it lost the second half.
    @Test func replicaStoppedDuringAppendsIsNeverTrustedWithoutTheirRecords() async throws {
        let master = ["--chunk-size", "1M", "--lease", "8s", "--heartbeat-timeout", "2s", "--repair-interval", "200ms"]
        try await withCluster(chunkservers: 3, master: master) { cluster in
            let first = try cluster.gfs(["append", "--create", "/r"], stdin: Self.records(1...2000))
            try #require(first.status == 0, "\(first.stderr)")
            // Stop a secondary of the lease the appends go through (its connection stays open, as in a hang).
            let lease = try cluster.leaseOnLastChunk("/r")
            let secondary = try #require(lease["secondaries"]?.split(separator: ",").first.map(String.init))
            let stopped = try #require(cluster.chunkservers.first { $0.address == secondary })
            kill(stopped.pid, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(stopped.pid, SIGCONT) } }
            // Appends go on without it once the master counts it dead (2 s), and are acknowledged.
            let second = try cluster.gfs(["append", "/r"], stdin: Self.records(2001...4000))
            #expect(second.status == 0, "\(second.stderr)")
            kill(stopped.pid, SIGCONT)
            resumed = true
            try await waitUntil("fsck healthy", within: .seconds(60)) { try cluster.gfs(["fsck"]).status == 0 }
            for other in cluster.chunkservers where other.pid != stopped.pid { cluster.kill(other) }
            try await waitUntil("the master to see two chunkservers gone", within: .seconds(20)) {
                try cluster.gfs(["status"]).stdout.split(separator: "\n").filter { $0.contains("\talive\t") }.count == 1
            }
            let read = try cluster.gfs(["cat", "/r"])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.output == Self.records(1...4000), "the replica left read back \(read.output.count) bytes")
        }
    }
}
