import Foundation
import TerreinGeometry
import TerreinIO

/// The validity cache, `.terrein-valid` in the output folder (docs/incremental.md, "The
/// validity cache"): the digests (`BuiltDigest`) of every used feature whose geometry was
/// valid as built, so that the next run skips the GEOS validity check of every geometry it
/// finds again unchanged. Validity is a property of the geometry alone under one GEOS version,
/// and the digest covers the geometry exactly as it went to GEOS (transformed coordinates and
/// rings), so a hit is proof: the check would say valid again. Every other step of reading
/// (parsing, reprojection, building, ring closing, counts, `--strict`) runs as before, and a
/// feature that needed repair is never in the cache (it is repaired again, the same way).
///
/// Why: validity checks were most of what an incremental run spends reading (scale L, 2026-12-01:
/// see docs/incremental.md, "Measured"), and reading is what every run does.
///
/// Binary after a JSON header line: the header (format, Terrein and GEOS versions, count, the
/// SHA-256 of the body), then `count` keys of 16 bytes in ascending order. Its bytes depend only
/// on the inputs, so a full and an incremental run write the same file; written into the staging
/// folder and swapped in with the other outputs, like `.terrein-cache`. A cache of another format,
/// Terrein or GEOS version, or one whose body does not match its checksum, is ignored with a
/// warning (every geometry is checked); `--full` does not read it.
public enum ValidityCache {
    static let fileName = ".terrein-valid"
    static let formatVersion = 1

    /// The first 16 bytes of a `BuiltDigest`: among the ~1.6 million features of scale L, two
    /// different geometries share a key with a probability of about n² / 2¹²⁹ ≈ 4·10⁻²⁷.
    public struct Key: Hashable, Comparable, Sendable {
        var a: UInt64, b: UInt64
        init(_ d: Digest32) { a = d.bytes.0; b = d.bytes.1 }
        init(a: UInt64, b: UInt64) { self.a = a; self.b = b }
        public static func < (x: Key, y: Key) -> Bool { x.a != y.a ? x.a < y.a : x.b < y.b }
    }

    /// The keys a run may trust, shared read-only by the reading threads: the file's sorted
    /// keys as they are, with a directory by their first bits (the keys are SHA-256 bytes, so
    /// uniform): a lookup reads one directory entry and scans the one or two keys of its
    /// bucket. Hand-written because `Set<Key>` spent 2.4 % of an incremental run at scale L in
    /// SipHash and probing, and an open-addressing table built from the file took 0.3 s before
    /// reading could start (`perf record`, 2026-12-01); the directory is one pass over the keys.
    public final class Known: @unchecked Sendable {
        /// a, b of each key, ascending.
        private let keys: [UInt64]
        /// `directory[p]`: the first key whose top `bits` bits are p or more.
        private let directory: [Int32]
        private let shift: UInt64
        var count: Int { keys.count / 2 }

        /// `sorted`: a, b of each key; nil when they are not in ascending order.
        init?(sorted: [UInt64]) {
            let n = sorted.count / 2
            var bits = 1
            while bits < 24 && (1 << (bits + 1)) <= n { bits += 1 }
            shift = UInt64(64 - bits)
            var directory = [Int32](repeating: Int32(n), count: (1 << bits) + 1)
            var fill = 0
            for i in 0..<n {
                if i > 0 && (sorted[2 * i] < sorted[2 * i - 2] || (sorted[2 * i] == sorted[2 * i - 2] && sorted[2 * i + 1] <= sorted[2 * i - 1])) {
                    return nil
                }
                let p = Int(sorted[2 * i] >> shift)
                while fill <= p { directory[fill] = Int32(i); fill += 1 }
            }
            keys = sorted
            self.directory = directory
        }

        func contains(_ d: Digest32) -> Bool {
            let k = Key(d)
            let p = Int(k.a >> shift)
            var i = Int(directory[p])
            let end = Int(directory[p + 1])
            while i < end {
                let a = keys[2 * i]
                if a == k.a && keys[2 * i + 1] == k.b { return true }
                if a > k.a { return false }
                i += 1
            }
            return false
        }
    }

    struct Header: Codable, Equatable {
        var format: Int
        var terreinVersion: String
        var geosVersion: String
        var count: Int
        var bodySHA256: String
        enum CodingKeys: String, CodingKey {
            case format, count
            case terreinVersion = "terrein_version", geosVersion = "geos_version", bodySHA256 = "body_sha256"
        }
    }

    /// The file for the features of `layers`: every layer's valid-as-built keys, sorted, each once.
    static func render(_ layers: LoadedLayers) throws -> Data {
        var keys = layers.stats.values.flatMap(\.validAsBuilt)
        keys.sort()
        var bytes = [UInt8](repeating: 0, count: keys.count * 16)
        var count = 0
        bytes.withUnsafeMutableBytes { out in
            var last: Key?
            for k in keys where k != last {
                last = k
                out.storeBytes(of: k.a.littleEndian, toByteOffset: 16 * count, as: UInt64.self)
                out.storeBytes(of: k.b.littleEndian, toByteOffset: 16 * count + 8, as: UInt64.self)
                count += 1
            }
        }
        let body = Data(bytes[0..<(16 * count)])
        let header = Header(format: formatVersion, terreinVersion: TerreinCore.terreinVersion,
                            geosVersion: GEOSContext.version, count: count, bodySHA256: Hashing.sha256Hex(body))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = try encoder.encode(header)
        out.append(UInt8(ascii: "\n"))
        out.append(body)
        return out
    }

    /// The cache in `folder`: nil when there is none, `ResultCache.Unusable` when it cannot be trusted.
    static func read(folder: String) throws -> Known? {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultCache.Unusable(description: "\(path) cannot be read")
        }
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
            throw ResultCache.Unusable(description: "\(path) has no header line (truncated)")
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline]) } catch {
            throw ResultCache.Unusable(description: "\(path): the header does not decode (\(error))")
        }
        guard header.format == formatVersion else {
            throw ResultCache.Unusable(description: "\(path) has format \(header.format), this Terrein writes \(formatVersion)")
        }
        guard header.terreinVersion == TerreinCore.terreinVersion else {
            throw ResultCache.Unusable(description: "\(path) was written by Terrein \(header.terreinVersion), this is \(TerreinCore.terreinVersion)")
        }
        guard header.geosVersion == GEOSContext.version else {
            throw ResultCache.Unusable(description: "\(path) was written with GEOS \(header.geosVersion), this is \(GEOSContext.version)")
        }
        let body = data[(newline + 1)...]
        guard body.count == header.count * 16, Hashing.sha256Hex(Data(body)) == header.bodySHA256 else {
            throw ResultCache.Unusable(description: "\(path): the keys do not match the header's count and checksum (truncated or changed)")
        }
        let words = body.withUnsafeBytes { raw in
            (0..<(2 * header.count)).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
        }
        guard let known = Known(sorted: words) else {
            throw ResultCache.Unusable(description: "\(path): the keys are not in ascending order (not written by Terrein)")
        }
        return known
    }
}
