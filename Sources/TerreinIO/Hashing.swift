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

/// Bytes as lower-case hex digits and back: digests, and the stored forms of ids and WKB
/// (the incremental cache, result records).
public enum Hex {
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
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
