import Foundation
import XCTest
@testable import TerreinSynth

final class RandomAndFormatTests: XCTestCase {
    func testSplitMix64ReferenceValues() {
        // Published SplitMix64 outputs for seed 0.
        var sm = SplitMix64(seed: 0)
        XCTAssertEqual(sm.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(sm.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(sm.next(), 0x06C4_5D18_8009_454F)
    }

    func testXoshiroStreamIsPinned() {
        // xoshiro256** seeded through SplitMix64(42), checked against an independent
        // implementation of the published algorithm. A change here changes every data set.
        var r = SynthRandom(seed: 42)
        XCTAssertEqual(r.next(), 1_546_998_764_402_558_742)
        XCTAssertEqual(r.next(), 6_990_951_692_964_543_102)
        XCTAssertEqual(r.next(), 12_544_586_762_248_559_009)
    }

    func testStreamsAreIndependentAndReproducible() {
        var a = SynthRandom(seed: 7, stream: .buildings, index: 3)
        var b = SynthRandom(seed: 7, stream: .buildings, index: 3)
        var c = SynthRandom(seed: 7, stream: .buildings, index: 4)
        var d = SynthRandom(seed: 7, stream: .landcover, index: 3)
        let va = (0..<4).map { _ in a.next() }
        XCTAssertEqual(va, (0..<4).map { _ in b.next() })
        XCTAssertNotEqual(va, (0..<4).map { _ in c.next() })
        XCTAssertNotEqual(va, (0..<4).map { _ in d.next() })
    }

    func testIntegerRangeCoversEveryValue() {
        var r = SynthRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 { counts[r.int(0, 9)] += 1 }
        for c in counts { XCTAssertTrue((1_700...2_300).contains(c), "\(counts)") }
        for _ in 0..<1_000 {
            let v = r.int(-3, 3)
            XCTAssertTrue((-3...3).contains(v))
        }
        for _ in 0..<1_000 {
            let u = r.unit()
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }

    func testDeterministicTrigonometryMatchesLibm() {
        var x = -20.0
        while x < 20 {
            let sc = DetMath.sincos(x)
            XCTAssertEqual(sc.sin, sin(x), accuracy: 1e-13)
            XCTAssertEqual(sc.cos, cos(x), accuracy: 1e-13)
            x += 0.0137
        }
        XCTAssertEqual(DetMath.sincosDeg(90).sin, 1, accuracy: 1e-15)
        XCTAssertEqual(DetMath.normalizeDeg(-90), 270)
        XCTAssertEqual(DetMath.normalizeDeg(720), 0)
    }

    func testNumberFormattingIsFixedAndLocaleFree() throws {
        XCTAssertEqual(formatFixed(0.1, decimals: 2), "0.10")
        XCTAssertEqual(formatFixed(-0.0004, decimals: 3), "0.000")
        XCTAssertEqual(formatFixed(-1.25, decimals: 1), "-1.3")
        XCTAssertEqual(formatFixed(88_720.5, decimals: 3), "88720.500")
        XCTAssertEqual(formatFixed(4.3521234567, decimals: 7), "4.3521235")
        XCTAssertEqual(formatFixed(12, decimals: 0), "12")

        let dir = try ScratchDirectory("format")
        defer { dir.cleanUp() }
        let sink = try ByteSink(url: dir.file("n.txt"))
        sink.scaled(88_720_123, decimals: 3); sink.byte(0x20)
        sink.scaled(-5, decimals: 3); sink.byte(0x20)
        sink.scaled(0, decimals: 3); sink.byte(0x20)
        sink.fixed(-0.0, decimals: 1); sink.byte(0x20)
        sink.fixed(52.1551721, decimals: 7); sink.byte(0x20)
        sink.int(Int64.min + 1); sink.byte(0x20)
        sink.jsonString("'t \"Heen\"\\\n\u{1}ë")
        try sink.close()
        XCTAssertEqual(String(data: try dir.data("n.txt"), encoding: .utf8),
                       "88720.123 -0.005 0.000 0.0 52.1551721 -9223372036854775807 \"'t \\\"Heen\\\"\\\\\\n\\u0001ë\"")
    }

    func testScaleArgumentParsing() {
        XCTAssertEqual(Scale(argument: "sample"), .sample)
        XCTAssertEqual(Scale(argument: "s"), .S)
        XCTAssertEqual(Scale(argument: "M"), .M)
        XCTAssertEqual(Scale(argument: "l"), .L)
        XCTAssertNil(Scale(argument: "xl"))
    }
}
