// Goal: the protocol manual documents every verb and error code the code knows. Method: read the page.
import Foundation
import GFSProtocol
import Testing

@Suite struct ManualPageTests {
    static let page: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("Man/gfs-protocol.5"), encoding: .utf8)) ?? ""
    }()

    @Test(arguments: Verb.allCases)
    func everyVerbIsDocumented(verb: Verb) {
        #expect(Self.page.contains(".B \(verb.rawValue)"), "gfs-protocol.5 lacks a .B \(verb.rawValue) entry")
    }

    @Test(arguments: GFSError.Code.allCases)
    func everyErrorCodeIsDocumented(code: GFSError.Code) {
        #expect(Self.page.contains(".B \(code.rawValue)"), "gfs-protocol.5 lacks a .B \(code.rawValue) entry")
    }
}
