// Goal (issue 14): the exports rules grant exactly what they say, to whom and from where, and every
// malformed rule or token is one clear error, never a trap. Method: table-driven cases on the pure types.
import GFSCore
import Testing

@Suite struct AccessRulesTests {
    static let local: [UInt8] = [127, 0, 0, 1]
    static let remote: [UInt8] = [10, 1, 2, 3]

    static func path(_ text: String) -> GFSPath { GFSPath(text) ?? .root }

    @Test func addressRangesMatchByPrefix() throws {
        let eight = try #require(AddressRange("127.0.0.0/8"))
        #expect(eight.contains(Self.local) && !eight.contains(Self.remote) && !eight.contains(nil))
        #expect(try #require(AddressRange("10.1.2.3")).contains(Self.remote))
        #expect(!(try #require(AddressRange("10.1.2.4"))).contains(Self.remote))
        #expect(try #require(AddressRange("10.1.0.0/15")).contains(Self.remote))
        let six = try #require(AddressRange("fd00::/8"))
        #expect(six.contains(AddressRange.bytes("fd12::1")) && !six.contains(AddressRange.bytes("fe80::1")))
        #expect(AddressRange.bytes("::ffff:127.0.0.1") == Self.local, "IPv4-mapped addresses match IPv4 rules")
        #expect(AddressRange.any.contains(nil))
        for bad in ["", "1.2.3", "1.2.3.4/33", "1.2.3.4/-1", "::/129", "host.example", "1.2.3.4/", "1.2.3.4/99999999999999999999"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test func rulesGrantByPrincipalAddressAndPath() throws {
        let rules = try ExportRules(parsing: """
            # address     path          options
            127.0.0.0/8   /home/alice   rw,principal=alice,minrep=2,maxrep=3   # her home
            *             /pub          ro
            10.0.0.0/8    /             rw,admin,principal=ops
            """)
        #expect(rules.rules.count == 3)
        let home = Self.path("/home/alice/f")
        let granted = try rules.check(.write(home), principal: "alice", address: Self.local)
        #expect(granted.clamp(1) == 2 && granted.clamp(5) == 3 && granted.clamp(3) == 3)
        #expect(throws: GFSError.self) { try rules.check(.write(home), principal: "alice", address: Self.remote) }
        #expect(throws: GFSError.self) { try rules.check(.write(home), principal: "bob", address: Self.local) }
        #expect(throws: GFSError.self) { try rules.check(.read(Self.path("/home/alicex")), principal: "alice", address: Self.local) }
        #expect(throws: GFSError.self) { try rules.check(.write(Self.path("/pub/x")), principal: "alice", address: Self.local) }
        try rules.check(.read(Self.path("/pub/x")), principal: "bob", address: nil)
        #expect(throws: GFSError.self) { try rules.check(.admin, principal: "alice", address: Self.local) }
        try rules.check(.admin, principal: "ops", address: Self.remote)
        #expect(throws: GFSError.self) { try rules.check(.admin, principal: "ops", address: Self.local) }
        #expect(throws: GFSError.self) { try rules.check(.member, principal: "ops", address: Self.remote) }
        try ExportRules.open.check(.admin, principal: "anyone", address: nil)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1 relative/path", "nonsense / rw", "* / rw,admin,superuser", "* / principal=bad.name",
        "* / minrep=0", "* / maxrep=17", "* / minrep=3,maxrep=2", "* / rw extra", "* / minrep=99999999999999999999", "* / ro,=", "* / =rw",
    ])
    func malformedRulesNameTheirLine(text: String) {
        #expect(throws: GFSError.self) { try ExportRules(parsing: "# first line\n" + text) }
        do { _ = try ExportRules(parsing: "# first line\n" + text) } catch {
            #expect(error.message.hasPrefix("exports line 2:"), "\(error.message)")
        }
    }

    @Test func tokensParseOnlyWhenWellFormed() throws {
        let token = ChunkToken(keyID: 7, expiry: 1000, handle: ChunkHandle(255), version: 3, mode: .write,
                               replicas: "0123456789abcdef", principal: "alice")
        let text = token.body + "." + String(repeating: "a", count: 32)
        let parsed = try ChunkToken.parse(text)
        #expect(parsed.token == token && parsed.body == token.body && parsed.mac == Substring(String(repeating: "a", count: 32)))
        try token.check(handle: ChunkHandle(255), version: 3, mode: .write, now: 1000)
        #expect(throws: GFSError.self) { try token.check(handle: ChunkHandle(255), version: 3, mode: .write, now: 1001) }
        #expect(throws: GFSError.self) { try token.check(handle: ChunkHandle(255), version: 3, mode: .read, now: 0) }
        #expect(throws: GFSError.self) { try token.check(handle: ChunkHandle(254), version: 3, mode: .write, now: 0) }
        for bad in ["", ".......", "x.1.00ff.3.r.-.alice.aa", "1.1.00ff.3.x.-.alice.aa", "1.1.00ff.3.r.-.al.ice.aa",
                    "18446744073709551616.1.00ff.3.r.-.alice.aa", "1.1.00ff.-3.r.-.alice.aa", "1.1.00ff.3.w.XYZ.alice.aa",
                    String(repeating: "1.", count: 200)] {
            #expect(throws: GFSError.self, "\(bad)") { try ChunkToken.parse(bad) }
        }
    }
}
