#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the scanner's number parsing bit for bit against the C library's `strtod` on
/// seeded random and edge-case decimals. Used by `FloatParsingTests` (a few hundred
/// thousand inputs in CI) and by `terrein-json-bench --float-check N` (the long run,
/// hundreds of millions, outside CI), so that both draw from the same mix of inputs.
package struct FloatParseCheck {
    /// SplitMix64: small, seeded, the same sequence on every platform.
    package struct Random {
        package var state: UInt64
        package init(seed: UInt64) { state = seed }
        package mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        package mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    package enum Kind: Int, CaseIterable, Sendable {
        case bits17g, bits15g, fixed, coordinate17g, digitString, halfway, shortHalfway, edge
        /// What ogr2ogr's GeoJSON driver writes: RD New metres with 15 decimals, 21
        /// significant digits (402928.653999999980442), past the 19 the mantissa holds.
        case coordinate21
    }

    package struct Mismatch: Sendable {
        package var text: String
        package var parsed: UInt64
        package var expected: UInt64
    }

    package var random: Random
    package private(set) var checked = 0
    package private(set) var perKind = [Int](repeating: 0, count: Kind.allCases.count)
    package private(set) var mismatches: [Mismatch] = []

    package init(seed: UInt64) { random = Random(seed: seed) }

    /// The fixed edge cases, each also taken with its neighbouring doubles.
    package static let edgeValues: [Double] = [
        0, .leastNonzeroMagnitude, Double(bitPattern: 2), Double(bitPattern: 2024),          // subnormals
        Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), .leastNormalMagnitude, .greatestFiniteMagnitude,
        9_007_199_254_740_992, 1e22, 1e23, 1e-22, 1e-23, 1, 0.1, 0.2, 0.3, 78613.52500000001,
        444003.45000000001, 8.98846567431158e307, 1e308, 1e-308, 1e300, 123456.789,
    ]

    package static let edgeTexts: [String] = [
        "0", "-0", "0.0", "-0.0", "0e0", "0e-400", "0e400", "1e-400", "1e400", "-1e400", "1e309", "1e308",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
        "2.2250738585072011e-308", "2.2250738585072012e-308", "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.9406564584124654e-324", "4.9406564584124654417656879286822137236505980e-324", "2.4703282292062328e-324",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
        "179769313486231580793728971405301e276", "179769313486231580793728971405302e276",
        "9007199254740993", "9007199254740993.0", "9007199254740992.5", "9007199254740993.00000000000000000000000001",
        "900719925474099300000000000000000000e-20", "18446744073709551615", "18446744073709551616",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "10000000000000000000", "99999999999999999999", "1e22", "1e23", "8.589973e9", "7.0e-10",
        "0.000000000000000000000000000000000000000000001", "0.1000000000000000000000000000000000000000000001",
        "100000000000000000000000000000000000000000000000000000000000000000000000000000000000000e-80",
        "1.00000000000000011102230246251565404236316680908203125", "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126", "0.3", "1090544144181609348835077142190",
        "4503599627370496.5", "4503599627370497.5", "1125899906842624.125", "1125899906842624.375",
        "78613.52500000001", "78613.525000000012", "78613.525000000012000000000000000000001", "1e-342", "1e-343",
        "9.9999999999999999999e-343", "1.8446744073709551615e-324", "1e0", "1E+2", "1e-0", "1.5e+00002",
    ]

    /// One decimal in JSON syntax.
    package mutating func next(_ kind: Kind) -> String {
        switch kind {
        case .bits17g: return Self.format("%.17g", randomFinite())
        case .bits15g: return Self.format(random.below(2) == 0 ? "%.15g" : "%.16g", randomFinite())
        case .fixed:
            let x = (random.unit() - 0.5) * pow(10, Double(random.below(12)))
            return Self.format(["%.3f", "%.6f", "%.9f", "%.1f"][random.below(4)], x)
        case .coordinate17g:
            // What ogr2ogr and 3DBAG write: RD New metres (or degrees) with 17 significant digits.
            let scale = [300_000.0, 1_000_000.0, 60.0, 1.0][random.below(4)]
            let x = random.unit() * scale * (random.below(8) == 0 ? -1 : 1)
            return Self.format(random.below(4) == 0 ? "%.16g" : "%.17g", x)
        case .coordinate21:
            // A double near a 3-decimal coordinate, printed with 15 decimals (its exact binary
            // value cut there), or with 12 to 18 for variety.
            let x = (random.unit() * [300_000.0, 650_000.0, 60.0][random.below(3)] * 1000).rounded() / 1000
            let y = random.below(2) == 0 ? x : (random.below(2) == 0 ? x.nextUp : x.nextDown)
            return Self.format(random.below(4) == 0 ? "%.\(12 + random.below(7))f" : "%.15f", y)
        case .digitString: return randomDigits()
        case .halfway: return halfway(randomFinite(), short: false)
        case .shortHalfway:
            // Doubles in [2^49, 2^66): their midpoints have 16-21 digits, the ties that
            // the 64-bit mantissa path meets.
            let x = Double(sign: .plus, exponent: 49 + random.below(17), significand: 1 + random.unit())
            return halfway(x, short: true)
        case .edge:
            if random.below(2) == 0 { return Self.edgeTexts[random.below(Self.edgeTexts.count)] }
            var x = Self.edgeValues[random.below(Self.edgeValues.count)]
            for _ in 0..<random.below(3) {
                let y = random.below(2) == 0 ? x.nextUp : x.nextDown
                if y.isFinite { x = y }
            }
            if random.below(2) == 0 { x = -x }
            return Self.format(["%.17g", "%.16g", "%.15g", "%.20g", "%.25e"][random.below(5)], x)
        }
    }

    /// Parses `texts` as one JSON array through the scanner (`parseNumber`, the path of
    /// property values and coordinates) and compares each value with `strtod`. `open`
    /// makes the scanner over the array's bytes (default: in memory).
    package mutating func check(_ texts: [String], open: (([UInt8]) throws -> JSONScanner)? = nil) throws {
        var json: [UInt8] = [0x5B]
        for (i, t) in texts.enumerated() {
            if i > 0 { json.append(0x2C) }
            json.append(contentsOf: t.utf8)
        }
        json.append(0x5D)
        var values: [Double] = []
        values.reserveCapacity(texts.count)
        let scanner = try open?(json) ?? JSONScanner(bytes: json)
        try scanner.forEachElement { values.append(try scanner.parseNumber().value) }
        for (t, v) in zip(texts, values) {
            let expected = t.withCString { strtod($0, nil) }
            checked += 1
            if v.bitPattern != expected.bitPattern {
                mismatches.append(Mismatch(text: t, parsed: v.bitPattern, expected: expected.bitPattern))
            }
        }
    }

    /// `count` inputs of the default mix, in batches.
    package mutating func run(count: Int, batch: Int = 4096, open: (([UInt8]) throws -> JSONScanner)? = nil) throws {
        var left = count
        while left > 0 {
            let n = min(batch, left)
            var texts: [String] = []
            texts.reserveCapacity(n)
            for _ in 0..<n {
                let kind = nextKind()
                perKind[kind.rawValue] += 1
                texts.append(next(kind))
            }
            try check(texts, open: open)
            left -= n
        }
    }

    /// The mix: mostly the cheap kinds, a halfway case (long decimal expansion) in 1 of 32.
    package mutating func nextKind() -> Kind {
        let r = random.below(32)
        switch r {
        case 0: return .halfway
        case 1...3: return .shortHalfway
        case 4...5: return .edge
        case 6...12: return .bits17g
        case 13...16: return .bits15g
        case 17...19: return .fixed
        case 20...25: return .coordinate17g
        case 26...28: return .coordinate21
        default: return .digitString
        }
    }

    private mutating func randomFinite() -> Double {
        while true {
            let x = Double(bitPattern: random.next())
            if x.isFinite { return x }
        }
    }

    /// 1-25 digits with a random decimal point, leading zeros and exponent in [-350, 330].
    private mutating func randomDigits() -> String {
        let n = 1 + random.below(25)
        var digits: [UInt8] = []
        for i in 0..<n {
            var d = UInt8(random.below(10))
            if random.below(4) == 0 { d = random.below(2) == 0 ? 0 : 9 }  // runs of 0s and 9s
            if i == 0 && n > 1 && d == 0 { d = 1 + UInt8(random.below(9)) }
            digits.append(0x30 + d)
        }
        var s = random.below(10) == 0 ? "-" : ""
        let point = random.below(n + 2)
        if point == 0 {
            s += "0." + String(repeating: "0", count: random.below(4) == 0 ? random.below(30) : 0)
            s += String(decoding: digits, as: UTF8.self)
        } else if point >= n {
            s += String(decoding: digits, as: UTF8.self)
        } else {
            s += String(decoding: digits[..<point], as: UTF8.self) + "." + String(decoding: digits[point...], as: UTF8.self)
        }
        if random.below(3) != 0 {
            let e = random.below(681) - 350
            s += e < 0 ? ["e-", "E-"][random.below(2)] + String(-e) : ["e", "E", "e+", "E+"][random.below(4)] + String(e)
        }
        return s
    }

    /// The exact decimal of the midpoint between `x` and the next double up, or (in 2 of
    /// 3 draws) a decimal just above or just below it.
    private mutating func halfway(_ x: Double, short: Bool) -> String {
        let m = abs(x)
        // m = M · 2^E with M the integer significand.
        let e = Int(m.exponent) - 52
        var M = m.significandBitPattern
        var E = e
        if m.isSubnormal || m == 0 { E = -1074 } else { M |= 1 << 52 }
        // Midpoint (2M + 1) · 2^(E - 1) = digits · 10^exp10.
        var big = BigDigits(UInt64(2) &* M &+ 1)
        var exp10 = 0
        if E - 1 >= 0 { big.multiply(byPowerOf: 2, E - 1) } else { big.multiply(byPowerOf: 5, 1 - E); exp10 = E - 1 }
        var digits = big.decimal()
        switch random.below(3) {
        case 0: break
        case 1: digits += "1"; exp10 -= 1                     // just above
        default:                                             // just below
            digits = Self.decremented(digits) + "9999"; exp10 -= 4
        }
        let sign = x < 0 ? "-" : ""
        if short && exp10 >= -30 && exp10 < 0 && digits.count > -exp10 {
            let cut = digits.index(digits.endIndex, offsetBy: exp10)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
        return sign + digits + (exp10 == 0 ? "" : "e\(exp10)")
    }

    /// The decimal string of n - 1 (n >= 1), without leading zeros.
    private static func decremented(_ digits: String) -> String {
        var b = Array(digits.utf8)
        var i = b.count - 1
        while i >= 0 && b[i] == 0x30 { b[i] = 0x39; i -= 1 }
        if i >= 0 { b[i] -= 1 }
        while b.count > 1 && b[0] == 0x30 { b.removeFirst() }
        return String(decoding: b, as: UTF8.self)
    }

    package static func format(_ fmt: String, _ x: Double) -> String {
        var buf = [UInt8](repeating: 0, count: 400)
        let n = buf.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                withVaList([x]) { vsnprintf(p, 400, fmt, $0) }
            }
        }
        return String(decoding: buf[..<Int(max(0, min(n, 399)))], as: UTF8.self)
    }
}

/// A non-negative integer with exact arithmetic, enough for midpoints' decimal expansions
/// and for re-deriving the power-of-five table in the tests.
package struct BigDigits: Equatable {
    /// Little-endian 32-bit limbs, no trailing zero limbs.
    package var limbs: [UInt32]

    package init(_ v: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: v), UInt32(truncatingIfNeeded: v >> 32)]
        trim()
    }

    private mutating func trim() { while limbs.last == 0 { limbs.removeLast() } }

    package mutating func multiply(by k: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let p = UInt64(limbs[i]) * UInt64(k) + carry
            limbs[i] = UInt32(truncatingIfNeeded: p)
            carry = p >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
        trim()
    }

    package mutating func multiply(byPowerOf base: UInt32, _ n: Int) {
        var left = n
        var chunk: UInt32 = 1, chunkN = 0
        while UInt64(chunk) * UInt64(base) <= UInt64(UInt32.max) { chunk *= base; chunkN += 1 }
        while left >= chunkN { multiply(by: chunk); left -= chunkN }
        for _ in 0..<left { multiply(by: base) }
    }

    package mutating func add(_ other: BigDigits) {
        var carry: UInt64 = 0
        let n = max(limbs.count, other.limbs.count)
        limbs += [UInt32](repeating: 0, count: n - limbs.count)
        for i in 0..<n {
            let s = UInt64(limbs[i]) + UInt64(i < other.limbs.count ? other.limbs[i] : 0) + carry
            limbs[i] = UInt32(truncatingIfNeeded: s)
            carry = s >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    package var bitLength: Int {
        guard let top = limbs.last else { return 0 }
        return (limbs.count - 1) * 32 + (32 - top.leadingZeroBitCount)
    }

    /// Bits [from, from + 64) as an integer.
    package func bits(from: Int) -> UInt64 {
        var v: UInt64 = 0
        for b in stride(from: 63, through: 0, by: -1) {
            let i = from + b
            let limb = i / 32
            let bit = limb < limbs.count && i >= 0 ? (limbs[limb] >> UInt32(i % 32)) & 1 : 0
            v = v << 1 | UInt64(bit)
        }
        return v
    }

    package func decimal() -> String {
        var rest = limbs
        var chunks: [UInt32] = []
        while !rest.isEmpty {
            var r: UInt64 = 0
            for i in rest.indices.reversed() {
                let cur = r << 32 | UInt64(rest[i])
                rest[i] = UInt32(cur / 1_000_000_000)
                r = cur % 1_000_000_000
            }
            chunks.append(UInt32(r))
            while rest.last == 0 { rest.removeLast() }
        }
        guard let top = chunks.popLast() else { return "0" }
        var s = String(top)
        for c in chunks.reversed() {
            let t = String(c)
            s += String(repeating: "0", count: 9 - t.count) + t
        }
        return s
    }
}
