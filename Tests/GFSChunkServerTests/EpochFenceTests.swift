// Goal: the highest master epoch a chunkserver has seen survives a restart, a torn write and a full disk,
// and an order from below it is refused (DESIGN §6: a deposed master's orders are fenced off).
// Method: a real chunk store in a temporary folder; the full disk is a small tmpfs (root only, as in CI).
import Foundation
import GFSCore
import Testing

@testable import GFSChunkServer

@Suite struct EpochFenceTests {
    /// Runs `body` with a new temporary folder, removed after.
    static func withFolder(_ body: (String) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("epoch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url.path)
    }

    @Test func anEpochOutlivesARestartAndALowerOneIsRefused() async throws {
        try await Self.withFolder { folder in
            let fence = EpochFence(store: try ChunkStore(directory: folder))
            try await fence.admit(5, "an order")
            try await fence.admit(7, "an order")
            await #expect(throws: GFSError.self) { try await fence.admit(6, "an old master's order") }
            #expect(EpochFence(store: try ChunkStore(directory: folder)).current == 7)
        }
    }

    /// A write torn by a power cut spoils the slot it was writing; the other holds the epoch before, which is
    /// all that was admitted.
    @Test func aTornSlotLeavesTheEpochBefore() async throws {
        try await Self.withFolder { folder in
            let fence = EpochFence(store: try ChunkStore(directory: folder))
            try await fence.admit(5, "an order")
            try await fence.admit(9, "an order")
            let chunks = folder + "/chunks"
            let torn = try #require(["epoch.0", "epoch.1"].first { EpochFence.readSlot(chunks + "/" + $0) == 9 })
            let handle = try #require(FileHandle(forWritingAtPath: chunks + "/" + torn))
            // The first bytes of epoch 11's line only: "…0001" over "…0009" reads 19, whose check does not match.
            try handle.write(contentsOf: Data("0000000000000000001".utf8))
            try handle.close()
            #expect(EpochFence(store: try ChunkStore(directory: folder)).current == 5)
        }
    }

    /// A slot file holding something longer than a line (not written by this code) is taken over: only its
    /// first line counts, so an epoch written there is read back after a restart.
    @Test func aSlotHoldingGarbageIsTakenOver() async throws {
        try await Self.withFolder { folder in
            let chunks = try ChunkStore(directory: folder).folder
            try String(repeating: "garbage ", count: 5).write(toFile: chunks + "/epoch.0", atomically: true, encoding: .utf8)
            let fence = EpochFence(store: try ChunkStore(directory: folder))
            try await fence.admit(6, "an order")
            try await fence.admit(8, "an order")
            #expect(EpochFence(store: try ChunkStore(directory: folder)).current == 8)
            try await fence.admit(9, "an order")
            #expect(EpochFence(store: try ChunkStore(directory: folder)).current == 9)
        }
    }

    @Test func theEpochFileOfEarlierVersionsIsRead() async throws {
        try await Self.withFolder { folder in
            let store = try ChunkStore(directory: folder)
            try "12\n".write(toFile: store.folder + "/epoch", atomically: true, encoding: .utf8)
            let fence = EpochFence(store: try ChunkStore(directory: folder))
            #expect(fence.current == 12)
            await #expect(throws: GFSError.self) { try await fence.admit(11, "an old master's order") }
        }
    }

    /// With the disk full, a chunkserver still records a new primary's epoch: it used to need a new file, and
    /// could not register with the new primary until the disk had room (chaos seed 431, `--etcd`).
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root")) func aFullDiskStillTakesAHigherEpoch() async throws {
        try await Self.withFolder { folder in
            func mount(_ arguments: [String]) throws -> Int32 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/" + arguments[0])
                process.arguments = Array(arguments.dropFirst())
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            }
            try #require(try mount(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", folder]) == 0)
            defer { _ = try? mount(["umount", folder]) }
            let fence = EpochFence(store: try ChunkStore(directory: folder))
            try await fence.admit(2, "an order")
            // Fill the disk to the last byte.
            try #require(FileManager.default.createFile(atPath: folder + "/filler", contents: nil))
            let filler = try #require(FileHandle(forWritingAtPath: folder + "/filler"))
            var full = false
            for _ in 0..<1024 where !full {
                do { try filler.write(contentsOf: Data(count: 4096)) } catch { full = true }
            }
            try? filler.close()
            try #require(full, "the tmpfs never filled up")
            #expect(throws: (any Error).self) { try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/new")) }
            try await fence.admit(3, "the new primary's order")
            #expect(EpochFence(store: try ChunkStore(directory: folder)).current == 3)
        }
    }
}
