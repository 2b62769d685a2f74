// Goal: a reader takes files only from the chunkserver's own descriptor socket: a name no one listens at is
// "not on this machine", and a process that took the name and answers without LOCAL's proof, however
// plausibly, hands over nothing the reader keeps.
// Method: real Unix sockets in the abstract namespace, the squatter served from a thread of this test.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    /// Serves one connection at `name` with `answer`, attaching two files of this test's own (regular ones,
    /// or the ends of a pipe).
    static func squat(_ name: String, answer: Line, pipe: Bool = false) throws -> Thread {
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
            var ends: [Int32] = [-1, -1]
            if pipe { _ = Glibc.pipe(&ends) } else { ends = [open(file.path, O_RDONLY), open(file.path, O_RDONLY)] }
            defer { ends.forEach { close($0) } }
            DescriptorSocket.send(answer, files: ends, on: connection)
        }
        thread.start()
        return thread
    }

    /// The same squatter, answering with the proof: the one thing that lets files in (the control case of the
    /// test below), and only regular ones.
    @Test func onlyRegularFilesWithTheProofAreTaken() throws {
        let proof = RandomName.random()
        let name = DescriptorSocket.randomName()
        _ = try Self.squat(name, answer: OpenReply(proof: proof).reply.line)
        guard case let .files(chunk, checksum) = try DescriptorSocket.redeem(RandomName.random(), proof: proof, at: name) else {
            Issue.record("no files came with the proof")
            return
        }
        close(chunk)
        close(checksum)
        let piped = DescriptorSocket.randomName()
        _ = try Self.squat(piped, answer: OpenReply(proof: proof).reply.line, pipe: true)
        do throws(GFSError) {
            _ = try DescriptorSocket.redeem(RandomName.random(), proof: proof, at: piped)
            Issue.record("a pipe taken as a replica's files")
        } catch {
            #expect(error.code == .unavailable, "\(error)")
        }
    }

    @Test func filesWithoutTheProofAreRefused() throws {
        let proof = RandomName.random()
        // No files are taken with a wrong proof or none (UNAVAILABLE); a refusal is passed on as it came.
        let answers: [(Line, GFSError.Code)] = [(OpenReply(proof: RandomName.random()).reply.line, .unavailable),
                                               (Reply.ok().line, .unavailable),
                                               (Reply.error(GFSError(.denied, "no")).line, .denied)]
        for (answer, code) in answers {
            let name = DescriptorSocket.randomName()
            _ = try Self.squat(name, answer: answer)
            do throws(GFSError) {
                _ = try DescriptorSocket.redeem(RandomName.random(), proof: proof, at: name)
                Issue.record("files taken from a squatter answering \(answer)")
            } catch {
                #expect(error.code == code, "\(error)")
            }
        }
    }
}
