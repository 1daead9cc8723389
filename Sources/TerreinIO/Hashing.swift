import Crypto
import Foundation

/// SHA-256 of files and bytes, for the run manifest (swift-crypto).
public enum Hashing {
    public static func sha256Hex(_ data: Data) -> String {
        Hex.encode(SHA256.hash(data: data))
    }

    /// Hashes a file in 1 MiB chunks (input layers can be hundreds of MB).
    public static func sha256Hex(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: path, problem: "cannot open the file to hash it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return Hex.encode(hasher.finalize())
    }
}

/// SHA-256 fed chunk by chunk (the GeoJSON reader hashes what it reads, so no second pass
/// over a 400 MB file is needed for the manifest).
public final class StreamingSHA256 {
    private var hasher = SHA256()
    public init() {}
    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public var hex: String { Hex.encode(hasher.finalize()) }
}

/// Bytes as lower-case hex digits and back: digests, and the stored form of ids in the
/// incremental cache (its display WKB is base64 since cache format 2).
public enum Hex {
    /// Lower-case hex of the bytes. Contiguous bytes (arrays, `Data`, raw buffers) are written
    /// straight into the string: the generic loop through an iterator took 6.4 % of a run's
    /// samples at scale M with every format on, most of it for the display areas' WKB in the
    /// result cache, which was hex before cache format 2 (perf, 2026-12-02).
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        if let s = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) { return s }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let d = digits.utf8Start
            var k = 0
            for b in bytes {
                out[k] = d[Int(b >> 4)]
                out[k + 1] = d[Int(b & 15)]
                k += 2
            }
            return k
        }
    }

    /// The bytes of an even number of hex digits (either case); nil for anything else.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
