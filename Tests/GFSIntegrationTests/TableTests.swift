// Goal: listings align for people and stay tab-separated for programs. Method: the formatting function alone.
@testable import GFSCommands
import GFSCore
import Testing

struct TableTests {
    @Test func alignsColumnsAndRightAlignsQuantities() {
        let rows = [["d", "-", "0", "2026-11-22T10:00:00Z", "logs"],
                    ["-", "3", "64M", "2026-11-22T10:00:01Z", "a-long-name"],
                    ["-", "3", "1.5G", "2026-11-22T10:00:02Z", "b"]]
        #expect(Table.aligned(rows) == [
            "d  -     0  2026-11-22T10:00:00Z  logs",
            "-  3   64M  2026-11-22T10:00:01Z  a-long-name",
            "-  3  1.5G  2026-11-22T10:00:02Z  b",
        ])
    }

    @Test func humanSizesLikeLsMinusH() {
        #expect(ByteCount.text(1000, human: false) == "1000")
        #expect(ByteCount.text(1000, human: true) == "1000B")
        #expect(ByteCount.text(3 << 20, human: true) == "3M")
        #expect(ByteCount.text(1536 << 20, human: true) == "1.5G")
    }
}
