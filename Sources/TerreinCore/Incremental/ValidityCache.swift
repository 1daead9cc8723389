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

    /// The keys a run may trust, shared read-only by the reading threads: an open-addressing
    /// table indexed by the key's first 8 bytes (already uniform: they are SHA-256 bytes). Hand-
    /// written because `Set<Key>` spent 2.4 % of an incremental run at scale L in SipHash and
    /// probing (`perf record`, 2026-12-01); here a lookup is one masked index and usually one
    /// comparison. The all-zero key marks an empty slot and is never stored (a geometry whose key
    /// it is would only be checked again).
    public final class Known: @unchecked Sendable {
        private var slots: [Key]
        private let mask: Int
        private(set) var count = 0

        init(capacity: Int) {
            var size = 16
            while size < 2 * capacity { size <<= 1 }
            slots = [Key](repeating: Key(a: 0, b: 0), count: size)
            mask = size - 1
        }

        func insert(_ k: Key) {
            guard k.a != 0 || k.b != 0 else { return }
            var i = Int(truncatingIfNeeded: k.a) & mask
            while true {
                let s = slots[i]
                if s == k { return }
                if s.a == 0 && s.b == 0 { slots[i] = k; count += 1; return }
                i = (i + 1) & mask
            }
        }

        func contains(_ d: Digest32) -> Bool {
            let k = Key(d)
            guard k.a != 0 || k.b != 0 else { return false }
            var i = Int(truncatingIfNeeded: k.a) & mask
            while true {
                let s = slots[i]
                if s == k { return true }
                if s.a == 0 && s.b == 0 { return false }
                i = (i + 1) & mask
            }
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
        let known = Known(capacity: header.count)
        body.withUnsafeBytes { raw in
            for i in 0..<header.count {
                let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self))
                let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self))
                known.insert(Key(a: a, b: b))
            }
        }
        return known
    }
}
