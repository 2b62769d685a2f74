// Shared set-up for the end-to-end tests: a real cluster per test, always stopped, logs printed on failure.
import Foundation
import GFSTestSupport
import Testing

/// Runs `body` against a fresh cluster of real `gfs` processes and stops every one of them afterwards; with
/// `user`, the servers and `gfs(_:)` commands run as that user (`ProcessCluster.runAs`).
func withCluster(chunkservers: Int, master flags: [String]? = nil, chunkserver chunkserverFlags: [String]? = nil,
                 user: String? = nil, name: String = #function, _ body: (ProcessCluster) async throws -> Void) async throws {
    let cluster = try ProcessCluster(name: String(name.prefix { $0.isLetter }))
    defer { cluster.stop() }
    do {
        if let user { try cluster.runAs(user) }
        try await cluster.start(chunkservers: chunkservers, master: flags, chunkserver: chunkserverFlags)
        try await body(cluster)
    } catch {
        print(cluster.logs())
        throw error
    }
}

/// Deterministic pseudo-random bytes, so a failure reproduces.
func testBytes(_ count: Int, seed: UInt64 = 1) -> Data {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for index in bytes.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return Data(bytes)
}

/// The `.chunk` files in a server's folder.
func chunkFiles(_ server: ProcessCluster.Server) -> [URL] {
    let folder = server.directory.appendingPathComponent("chunks")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".chunk") }.sorted().map { folder.appendingPathComponent($0) }
}

/// The handle (from its name) and version (from its `.version` file) of the replica whose `.chunk` file is
/// `chunk`, to address it on the wire.
func replicaOnDisk(_ chunk: URL) throws -> (handle: String, version: UInt64) {
    let text = try String(contentsOf: chunk.deletingPathExtension().appendingPathExtension("version"), encoding: .utf8)
    guard let version = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw ClusterError("\(chunk.path): no version beside it")
    }
    return (chunk.deletingPathExtension().lastPathComponent, version)
}

/// The tab-separated `gfs status` line of a chunkserver.
func statusLine(_ cluster: ProcessCluster, _ server: ProcessCluster.Server) throws -> [Substring] {
    let lines = try cluster.gfs(["status"]).stdout.split(separator: "\n")
    return lines.first { $0.hasPrefix(server.address + "\t") }?.split(separator: "\t") ?? []
}
