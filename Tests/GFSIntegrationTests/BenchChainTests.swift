// Goal: the relay-chain bound of `gfs bench write --baseline` measures a real chain, and a relay that fails
// ends the whole chain with that relay's own error rather than leaving the others waiting.
// Method: the bound alone, in a temporary folder; a folder where a relay's file should be makes it fail.
import Foundation
@testable import GFSCommands
import NIOConcurrencyHelpers
import Testing

struct BenchChainTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gfs-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` on a thread of its own; nil if it has not finished within `seconds` (a hung chain).
    static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = NIOLockedValueBox<T?>(nil)
        Thread.detachNewThread {
            let value = body()
            result.withLockedValue { $0 = value }
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success ? result.withLockedValue { $0 } : nil
    }

    @Test func everyRelayWritesEveryByte() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try #require(Self.within(60) { Result { try BenchBaseline(folder: folder).chain(24 << 20) } })
        let bound = try outcome.get()
        #expect(bound.rate > 0)
        for index in 0..<3 {
            let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("replica-\(index)").path)[.size]
            #expect(size as? Int == 24 << 20, "replica-\(index)")
        }
    }

    /// One relay cannot open its file: the chain ends at once, with that cause, whichever relay or the
    /// sender noticed first.
    @Test(arguments: [0, 1, 2]) func aFailedRelayEndsTheChainWithItsCause(_ broken: Int) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("replica-\(broken)"),
                                                withIntermediateDirectories: false)
        let outcome = try #require(Self.within(60) { Result { try BenchBaseline(folder: folder).chain(256 << 20) } },
                                   "the chain hung")
        #expect(throws: (any Error).self) { try outcome.get() }
        if case let .failure(error) = outcome {
            #expect("\(error)".contains("open") && "\(error)".contains("replica-\(broken)"), "\(error)")
        }
    }
}
