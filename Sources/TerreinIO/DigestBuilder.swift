import Crypto
import Foundation

/// A SHA-256 fed with typed values, for the keys of the incremental cache: every value is
/// written with a type tag and (for variable-length values) its length, so that two
/// different sequences of values never feed the same bytes (`"ab","c"` ≠ `"a","bc"`, nil ≠ 0).
///
/// Small values are gathered in a 256-byte buffer and handed to SHA-256 together: one
/// `SHA256.update` per value spent more in swift-crypto's wrapper than in the hashing itself
/// (6.8 % of an incremental run at scale L in `update`, 3.7 % in the block function, `perf
/// record`, 2026-12-01). The bytes hashed are the same, so are the digests.
public struct DigestBuilder {
    private var hasher = SHA256()
    private var buffer = SIMD32<UInt64>.zero  // 256 bytes
    private var used = 0
    public init() {}

    private mutating func append(_ p: UnsafeRawBufferPointer) {
        guard let base = p.baseAddress, p.count > 0 else { return }
        if used + p.count > 256 {
            flush()
            if p.count > 256 { hasher.update(bufferPointer: p); return }
        }
        let at = used
        withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.advanced(by: at).copyMemory(from: base, byteCount: p.count) }
        used += p.count
    }

    private mutating func flush() {
        guard used > 0 else { return }
        let n = used
        withUnsafeBytes(of: buffer) { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        used = 0
    }

    private mutating func tag(_ t: UInt8) { withUnsafeBytes(of: t) { append($0) } }
    private mutating func raw(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { append($0) } }

    public mutating func add(_ v: Int) { tag(1); raw(UInt64(bitPattern: Int64(v))) }
    /// By its bits: -0 and 0, or two NaN payloads, are different values.
    public mutating func add(_ v: Double) { tag(2); raw(v.bitPattern) }
    public mutating func add(_ v: Double?) { if let v { add(v) } else { tag(0) } }
    public mutating func add(_ v: Bool) { tag(v ? 4 : 5) }
    public mutating func add(_ s: String) {
        tag(3)
        var s = s
        s.withUTF8 { buf in
            raw(UInt64(buf.count))
            append(UnsafeRawBufferPointer(buf))
        }
    }
    public mutating func add(_ s: String?) { if let s { add(s) } else { tag(0) } }
    public mutating func add(bytes: [UInt8]) {
        tag(6)
        raw(UInt64(bytes.count))
        bytes.withUnsafeBytes { append($0) }
    }
    public mutating func add(_ d: Digest32) {
        tag(7)
        withUnsafeBytes(of: d.bytes) { append($0) }
    }
    /// Doubles as their bits, with the count first.
    public mutating func add(doubles: [Double]) {
        tag(8)
        raw(UInt64(doubles.count))
        doubles.withUnsafeBytes { append($0) }  // little endian on every supported machine
    }

    /// One built polygon as handed to GEOS: its coordinates (x, y pairs) by their bits and
    /// the end of each ring (in doubles), with both counts first.
    public mutating func add(polygonXY xy: UnsafeBufferPointer<Double>, ringEnds: UnsafeBufferPointer<Int>) {
        tag(9)
        raw(UInt64(xy.count))
        raw(UInt64(ringEnds.count))
        append(UnsafeRawBufferPointer(ringEnds))
        append(UnsafeRawBufferPointer(xy))
    }

    public func finish() -> Digest32 {
        var out = Digest32()
        var rest = self
        rest.flush()
        let d = rest.hasher.finalize()
        withUnsafeMutableBytes(of: &out.bytes) { dst in d.withUnsafeBytes { dst.copyMemory(from: $0) } }
        return out
    }
}

/// A SHA-256 value, compared and stored cheaply (hex in text files).
public struct Digest32: Hashable, Sendable {
    public var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    public init() {}

    public static func == (a: Digest32, b: Digest32) -> Bool {
        a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 && a.bytes.2 == b.bytes.2 && a.bytes.3 == b.bytes.3
    }
    public func hash(into h: inout Hasher) {
        h.combine(bytes.0); h.combine(bytes.1); h.combine(bytes.2); h.combine(bytes.3)
    }

    public var hex: String {
        withUnsafeBytes(of: bytes) { Hex.encode($0) }
    }

    /// From 64 hex digits; nil for anything else.
    public init?(hex: Substring) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var out = Digest32()
        let ok = withUnsafeMutableBytes(of: &out.bytes) { dst -> Bool in
            for i in 0..<32 {
                guard let hi = Self.nibble(u[2 * i]), let lo = Self.nibble(u[2 * i + 1]) else { return false }
                dst[i] = hi << 4 | lo
            }
            return true
        }
        guard ok else { return nil }
        self = out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
