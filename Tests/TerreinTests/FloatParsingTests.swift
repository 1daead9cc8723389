import XCTest
@testable import TerreinIO
@testable import TerreinJSON

/// The scanner's decimal-to-double conversion (Clinger's fast path, then Eisel–Lemire in
/// `DecimalToDouble`, then `strtod`) must give strtod's double bit for bit, always.
/// The long run (hundreds of millions of inputs) is `terrein-json-bench --float-check N`,
/// outside CI; here a few hundred thousand seeded inputs.
final class FloatParsingTests: XCTestCase {
    private func assertNoMismatch(_ check: FloatParseCheck, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(check.checked, 0, file: file, line: line)
        for m in check.mismatches.prefix(10) {
            XCTFail("\(m.text): parsed \(Double(bitPattern: m.parsed)) (0x\(String(m.parsed, radix: 16))), strtod \(Double(bitPattern: m.expected)) (0x\(String(m.expected, radix: 16)))", file: file, line: line)
        }
        XCTAssertEqual(check.mismatches.count, 0, file: file, line: line)
    }

    func testEveryKindOfInputMatchesStrtod() throws {
        // Each kind on its own, so that a failure names the kind.
        for kind in FloatParseCheck.Kind.allCases {
            var check = FloatParseCheck(seed: 0xF10A7 &+ UInt64(kind.rawValue))
            let n = kind == .halfway ? 3_000 : 25_000
            var texts: [String] = []
            for _ in 0..<n { texts.append(check.next(kind)) }
            try check.check(texts)
            XCTAssertEqual(check.checked, n, "\(kind)")
            assertNoMismatch(check)
        }
    }

    func testRandomMixMatchesStrtod() throws {
        var check = FloatParseCheck(seed: 20261201)
        try check.run(count: 100_000)
        XCTAssertEqual(check.checked, 100_000)
        XCTAssertTrue(check.perKind.allSatisfy { $0 > 0 }, "every kind drawn: \(check.perKind)")
        assertNoMismatch(check)
    }

    func testFixedEdgeCasesMatchStrtod() throws {
        var check = FloatParseCheck(seed: 1)
        var texts = FloatParseCheck.edgeTexts
        texts += FloatParseCheck.edgeTexts.filter { !$0.hasPrefix("-") }.map { "-" + $0 }
        for x in FloatParseCheck.edgeValues {
            for y in [x, x.nextUp, x.nextDown, x.nextUp.nextUp, x.nextDown.nextDown] where y.isFinite {
                for f in ["%.17g", "%.16g", "%.15g", "%.40g", "%.3e"] {
                    texts.append(FloatParseCheck.format(f, y))
                    texts.append(FloatParseCheck.format(f, -y))
                }
            }
        }
        // Powers of ten and of two, 2^53 ± 1 and the zeros.
        for e in -350...330 { texts.append("1e\(e)"); texts.append("9.999999999999999e\(e)"); texts.append("4.9e\(e)") }
        for e in -1074...1023 { texts.append(FloatParseCheck.format("%.17g", pow(2.0, Double(e)))) }
        texts += ["9007199254740991", "9007199254740992", "9007199254740993", "9007199254740995",
                  "0.00000000000000000000", "0e-99999999", "1e-99999999", "1e99999999", "-1e99999999",
                  "0.0000000000000000000000000000000000000000000000000000000000000000000000000000001e80"]
        try check.check(texts)
        assertNoMismatch(check)
    }

    func testKnownValues() throws {
        func parse(_ s: String) throws -> Double {
            let scanner = JSONScanner(bytes: Array("[\(s)]".utf8))
            var v = Double.nan
            try scanner.forEachElement { v = try scanner.parseNumber().value }
            return v
        }
        XCTAssertEqual(try parse("78613.52500000001").bitPattern, (78613.52500000001 as Double).bitPattern)
        XCTAssertEqual(try parse("9007199254740993"), 9007199254740992)   // tie: to even
        XCTAssertEqual(try parse("9007199254740995"), 9007199254740996)   // tie: to even
        XCTAssertEqual(try parse("2.4703282292062327e-324"), 0)            // just below half the least subnormal
        XCTAssertEqual(try parse("2.4703282292062328e-324"), .leastNonzeroMagnitude)
        XCTAssertEqual(try parse("1.7976931348623158e308"), .greatestFiniteMagnitude)
        XCTAssertEqual(try parse("1.7976931348623159e308"), .infinity)
        XCTAssertEqual(try parse("-1e400"), -.infinity)
        XCTAssertEqual(try parse("-0").bitPattern, (-0.0).bitPattern)
        XCTAssertEqual(try parse("-0.0e5").bitPattern, (-0.0).bitPattern)
        XCTAssertEqual(try parse("1e23"), 1e23)
        XCTAssertEqual(try parse("2.2250738585072011e-308"), Double(bitPattern: 0x000F_FFFF_FFFF_FFFF))
    }

    /// DecimalToDouble on its own, for every 64-bit w (20 digits, which the scanner never
    /// hands it) and exponents beyond the table; and how often it cannot decide.
    func testDecimalToDoubleAgainstStrtod() {
        var random = FloatParseCheck.Random(seed: 42)
        var undecided = 0, mismatches = 0
        let n = 100_000
        for i in 0..<n {
            var w = random.next()
            switch i % 4 {
            case 0: w >>= UInt64(random.below(64))
            case 1: w = w % 100_000_000_000_000_000 + 10_000_000_000_000_000  // 17 digits
            default: break
            }
            let q = random.below(700) - 360
            guard let b = DecimalToDouble.bits(w, q) else { undecided += 1; continue }
            let expected = "\(w)e\(q)".withCString { strtod($0, nil) }
            if b != expected.bitPattern {
                mismatches += 1
                if mismatches <= 10 { XCTFail("\(w)e\(q): 0x\(String(b, radix: 16)), strtod 0x\(String(expected.bitPattern, radix: 16))") }
            }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertEqual(undecided, 0, "random inputs should practically never need strtod")
        // Exact ties and exactly representable values with -27 <= q < 0, which the
        // truncated table cannot decide, are converted exactly: 2^50 + 1/8 is halfway
        // between two doubles (to even: 2^50), 2^51 + 1/2 and 0.5 are doubles.
        XCTAssertEqual(DecimalToDouble.bits(1125899906842624125, -3), (1125899906842624.0).bitPattern)
        XCTAssertEqual(DecimalToDouble.bits(22517998136852485, -1), (2251799813685248.5).bitPattern)
        XCTAssertEqual(DecimalToDouble.bits(50000000000000000, -17), (0.5).bitPattern)
        // Ties with 0 <= q <= 55 are decided exactly, to even.
        XCTAssertEqual(DecimalToDouble.bits(9007199254740993, 0), (9007199254740992.0).bitPattern)
        XCTAssertEqual(DecimalToDouble.bits(0, 5), 0)
        XCTAssertEqual(DecimalToDouble.bits(1, -343), 0)
        XCTAssertEqual(DecimalToDouble.bits(1, 309), Double.infinity.bitPattern)
    }

    /// Re-derives every entry of the generated `Pow5Table.swift` with exact integers:
    /// T(q) = floor(5^q · 2^-e(q)) in [2^127, 2^128), e(q) as the parser computes it.
    func testPowerOfFiveTableIsExact() {
        XCTAssertEqual(pow5Table.count, 2 * (pow5TableMaxExponent - pow5TableMinExponent + 1))
        for q in pow5TableMinExponent...pow5TableMaxExponent {
            let i = 2 * (q - pow5TableMinExponent)
            let hi = pow5Table[i], lo = pow5Table[i + 1]
            XCTAssertEqual(hi >> 63, 1, "5^\(q) is normalised")
            let e = DecimalToDouble.pow5Exponent(q)
            if q >= 0 {
                // T = the top 128 bits of 5^q (then e = bitLength - 128).
                var p = BigDigits(1)
                p.multiply(byPowerOf: 5, q)
                XCTAssertEqual(p.bitLength - 128, e, "e(\(q))")
                XCTAssertEqual(p.bits(from: e + 64), hi, "5^\(q) high")
                XCTAssertEqual(p.bits(from: e), lo, "5^\(q) low")
                if q <= 55 {
                    XCTAssertLessThanOrEqual(p.bitLength, 128, "5^\(q) is exact in 128 bits")
                }
            } else {
                // T · 5^-q < 2^-e < (T + 1) · 5^-q.
                var t = BigDigits(lo)
                var top = BigDigits(hi)
                top.multiply(byPowerOf: 2, 64)
                t.add(top)
                var tp = t
                tp.multiply(byPowerOf: 5, -q)
                var p = BigDigits(1)
                p.multiply(byPowerOf: 5, -q)
                var tp1 = tp
                tp1.add(p)
                XCTAssertLessThanOrEqual(tp.bitLength, -e, "T(\(q)) · 5^\(-q) < 2^\(-e)")
                XCTAssertGreaterThan(tp1.bitLength, -e, "(T(\(q)) + 1) · 5^\(-q) > 2^\(-e)")
            }
        }
    }

    /// Numbers cut by a buffer refill take the scanner's byte-by-byte path.
    func testSmallChunksTakeTheSlowPathAndMatchStrtod() throws {
        let dir = ScratchDir()
        var n = 0
        var check = FloatParseCheck(seed: 7)
        try check.run(count: 20_000, batch: 2_000) { bytes in
            n += 1
            let path = dir.write("n\(n).json", String(decoding: bytes, as: UTF8.self))
            return JSONScanner(fd: open(path, O_RDONLY), closeOnDeinit: true, chunkSize: 13)
        }
        XCTAssertEqual(check.checked, 20_000)
        assertNoMismatch(check)
    }

    /// End to end: 17-digit coordinates through the GeoJSON reader are strtod's doubles.
    func testReaderGivesStrtodCoordinates() throws {
        var random = FloatParseCheck.Random(seed: 99)
        var texts: [String] = []
        var features: [String] = []
        for f in 0..<200 {
            var ring: [String] = []
            var first = ""
            for k in 0..<6 {
                let x = FloatParseCheck.format("%.17g", 78_000 + random.unit() * 1000)
                let y = FloatParseCheck.format("%.17g", 444_000 + random.unit() * 1000)
                let pos = "[\(x),\(y)]"
                if k == 0 { first = pos; texts += [x, y] } else if k < 5 { texts += [x, y] }
                ring.append(k == 5 ? first : pos)
            }
            let h = FloatParseCheck.format("%.17g", random.unit() * 30)
            texts.append(h)
            features.append(#"{"type":"Feature","properties":{"id":\#(f),"h":\#(h)},"geometry":{"type":"Polygon","coordinates":[[\#(ring.joined(separator: ","))]]}}"#)
        }
        let text = #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",\n") + "]}"
        let dir = ScratchDir()
        let path = dir.write("roofs.geojson", text)
        let reader = try GeoJSONReader(path: path)
        var parsed: [Double] = []
        try reader.read { feature in
            let xy = feature.geometry!.xy
            parsed += xy[0..<10]
            parsed.append(feature.properties["h"]!.doubleValue!)
        }
        XCTAssertEqual(parsed.count, texts.count)
        var seventeen = 0
        for (t, v) in zip(texts, parsed) {
            let expected = t.withCString { strtod($0, nil) }
            XCTAssertEqual(v.bitPattern, expected.bitPattern, t)
            if t.filter(\.isNumber).count >= 17 { seventeen += 1 }
        }
        XCTAssertGreaterThan(seventeen, 1000, "most coordinates have 17 significant digits")
    }
}
