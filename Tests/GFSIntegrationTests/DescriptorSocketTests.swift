// Goal: a reader takes files only from the chunkserver's own descriptor socket: a name no one listens at is
// "not on this machine", and a process that took the name and answers without LOCAL's proof, however
// plausibly, hands over nothing the reader keeps.
// Method: real Unix sockets in the abstract namespace, the squatter served from a thread of this test.
import Foundation
import GFSClient
import GFSCore
import GFSProtocol
import Testing

@Suite struct DescriptorSocketTests {
    @Test func aNameNoOneHoldsIsUnreachable() throws {
        guard case .unreachable = try DescriptorSocket.redeem(RandomName.random(), proof: RandomName.random(),
                                                              at: DescriptorSocket.randomName()) else {
            Issue.record("a socket no one bound answered")
            return
        }
    }

    /// Serves one connection at `name` with `answer`, attaching a file of this test's own.
    static func squat(_ name: String, answer: Line) throws -> Thread {
        let listener = try #require(DescriptorSocket.listen(name))
        // The thread ends even if no reader comes.
        DescriptorSocket.setPatience(timeval(tv_sec: 10, tv_usec: 0), on: listener)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("squatter-\(UUID().uuidString)")
        try Data("forged".utf8).write(to: file)
        let thread = Thread {
            defer {
                close(listener)
                try? FileManager.default.removeItem(at: file)
            }
            let connection = DescriptorSocket.accept(listener)
            guard connection >= 0 else { return }
            defer { close(connection) }
            _ = DescriptorSocket.receive(on: connection, files: 0)
            let forged = open(file.path, O_RDONLY)
            defer { close(forged) }
            DescriptorSocket.send(answer, files: [forged, forged], on: connection)
        }
        thread.start()
        return thread
    }

    @Test func filesWithoutTheProofAreRefused() throws {
        let proof = RandomName.random()
        for answer in [OpenReply(proof: RandomName.random()).reply.line, Reply.ok().line, Line("YES", fields: ["proof": proof.description])] {
            let name = DescriptorSocket.randomName()
            _ = try Self.squat(name, answer: answer)
            do throws(GFSError) {
                _ = try DescriptorSocket.redeem(RandomName.random(), proof: proof, at: name)
                Issue.record("files taken from a squatter answering \(answer)")
            } catch {
                #expect(error.code == .unavailable, "\(error)")
            }
        }
    }
}
