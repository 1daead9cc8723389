import Foundation
import TerreinIO

/// The incremental cache, `.terrein-cache` in the output folder (docs/incremental.md): written
/// into the staging folder with the other outputs and swapped in with them, so the cache always
/// belongs to the results beside it.
///
/// Text, one line each: the header (JSON), then one entry per terrein in id order:
/// `<id as UTF-8 hex> TAB <key part digests, comma-separated, in KeyPart order> TAB <ResultRecord JSON>`.
/// The header carries the format and Terrein versions, the pipeline's name, the number of
/// entries and the SHA-256 of everything after the header, so a truncated or edited file is
/// recognised and ignored, never trusted.
struct ResultCache {
    static let fileName = ".terrein-cache"
    /// 2 (2026-12-02): display WKB in base64 instead of hex. A cache of another format is
    /// unusable: the run computes every terrein and writes a new one.
    static let formatVersion = 2

    struct Header: Codable, Equatable {
        var format: Int
        var terreinVersion: String
        var pipeline: String
        var keyParts: [String]
        var entries: Int
        var bodySHA256: String
        /// The run-wide key parts by name (`Incremental.runParts`), to name what changed.
        var runParts: [String: String]
        /// The same-inputs settings digest and fingerprint of the run that wrote it (`SameInputs`).
        var settings: String
        var fingerprint: String
        /// The files that run wrote, all of which must still be there for a same-inputs exit.
        var outputs: [String]
        /// The inputs' hashes behind `fingerprint`, in order, so that the same-inputs check stops
        /// hashing at the first input that changed (nil in caches written before they were kept).
        var inputs: [String]?
        /// Per raster layer, `TerreinKeys.rasterIdentity`: where it is the same in the next run,
        /// a terrein whose own feature did not change has the raster key part stored here (nil
        /// in caches written before they were kept).
        var rasters: [String: String]?
        enum CodingKeys: String, CodingKey {
            case format, pipeline, entries, settings, fingerprint, outputs, inputs, rasters
            case terreinVersion = "terrein_version", keyParts = "key_parts", bodySHA256 = "body_sha256", runParts = "run_parts"
        }
    }

    struct Entry {
        var parts: [Digest32]
        var key: Digest32 { TerreinKey(parts: parts).key }
        /// The record's JSON, decoded only when the entry is reused.
        var recordJSON: Substring
    }

    var header: Header
    var entries: [ByteKey: Entry]

    /// Why a cache was not used; said as a warning (a missing cache is no warning).
    struct Unusable: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads the cache in `folder`; nil when there is none, `Unusable` when it cannot be trusted.
    static func read(folder: String, pipeline: String) throws -> ResultCache? {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unusable(description: "\(path) cannot be read")
        }
        guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
            throw Unusable(description: "\(path) has no header line (truncated)")
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline]) } catch {
            throw Unusable(description: "\(path): the header does not decode (\(error))")
        }
        guard header.format == formatVersion else {
            throw Unusable(description: "\(path) has cache format \(header.format), this Terrein writes \(formatVersion)")
        }
        guard header.terreinVersion == TerreinCore.terreinVersion else {
            throw Unusable(description: "\(path) was written by Terrein \(header.terreinVersion), this is \(TerreinCore.terreinVersion)")
        }
        guard header.pipeline == pipeline else {
            throw Unusable(description: "\(path) was written for the pipeline \"\(header.pipeline)\", this run is \"\(pipeline)\"")
        }
        guard header.keyParts == KeyPart.allCases.map(\.rawValue) else {
            throw Unusable(description: "\(path) has other key parts (\(header.keyParts.joined(separator: ",")))")
        }
        let body = data[(newline + 1)...]
        guard Hashing.sha256Hex(Data(body)) == header.bodySHA256 else {
            throw Unusable(description: "\(path): the entries do not match the header's checksum (truncated or changed)")
        }
        let text = String(decoding: body, as: UTF8.self)
        var entries: [ByteKey: Entry] = [:]
        var n = 0
        // Split on the bytes (a newline and a tab are single bytes in UTF-8): splitting the
        // String by Characters took 0.5 s for the 10 MB cache of scale L.
        for lineBytes in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: true) {
            n += 1
            let fields = Substring(lineBytes).utf8.split(separator: 0x09, maxSplits: 2, omittingEmptySubsequences: false).map { Substring($0) }
            guard fields.count == 3, let id = Hex.decode(fields[0]) else {
                throw Unusable(description: "\(path): entry \(n) is malformed")
            }
            let parts = fields[1].utf8.split(separator: 0x2C).compactMap { Digest32(hex: Substring($0)) }
            guard parts.count == KeyPart.allCases.count else {
                throw Unusable(description: "\(path): entry \(n) has malformed key parts")
            }
            entries[ByteKey(String(decoding: id, as: UTF8.self))] = Entry(parts: parts, recordJSON: fields[2])
        }
        guard n == header.entries else {
            throw Unusable(description: "\(path) has \(n) entries, its header says \(header.entries)")
        }
        return ResultCache(header: header, entries: entries)
    }

    /// Only the header, and only when it is of this format and Terrein version and for
    /// `pipeline`, for the checks made before reading (the same-inputs exit, whether to defer
    /// geometry). No checksum over the entries: a run that goes on reads the cache in full.
    static func readHeader(folder: String, pipeline: String) -> Header? {
        guard let handle = FileHandle(forReadingAtPath: folder + "/" + fileName) else { return nil }
        defer { try? handle.close() }
        var data = Data()
        while data.count < 1 << 20, let chunk = try? handle.read(upToCount: 64 << 10), !chunk.isEmpty {
            data.append(chunk)
            guard let nl = data.firstIndex(of: UInt8(ascii: "\n")) else { continue }
            guard let h = try? JSONDecoder().decode(Header.self, from: data[..<nl]), h.format == formatVersion,
                  h.terreinVersion == TerreinCore.terreinVersion, h.pipeline == pipeline else { return nil }
            return h
        }
        return nil
    }

    /// The cache's bytes for the results of a run (`results` and `keys` in the same, id, order),
    /// as the header line and the body.
    /// `storedJSON`, per result, the record text of a result reused unchanged from the previous
    /// cache: written as it was (the record of an unchanged result encodes to the same text, as
    /// the byte-identity of full and incremental caches in `IncrementalTests` shows).
    static func render(results: [TerreinResult], keys: [TerreinKey], schema: IndicatorSchema, pipeline: String,
                       runParts: [(String, Digest32)], settings: String, fingerprint: String, inputs: [String]?,
                       outputs: [String], storedJSON: [Substring?]? = nil, rasters: [String: String]? = nil,
                       body given: Data? = nil) throws -> [Data] {
        let body = try given ?? Self.body(results: results, keys: keys, schema: schema, storedJSON: storedJSON)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header = Header(format: formatVersion, terreinVersion: TerreinCore.terreinVersion, pipeline: pipeline,
                            keyParts: KeyPart.allCases.map(\.rawValue), entries: results.count,
                            bodySHA256: Hashing.sha256Hex(body),
                            runParts: Dictionary(runParts.map { ($0.0, $0.1.hex) }, uniquingKeysWith: { a, _ in a }),
                            settings: settings, fingerprint: fingerprint, outputs: outputs, inputs: inputs,
                            rasters: rasters)
        var line = try encoder.encode(header)
        line.append(UInt8(ascii: "\n"))
        // The file is the header line, then the body: two parts, written one after the other
        // (`OutputDirectory.write(_:parts:)`), so the body is never copied.
        return [line, body]
    }

    /// The entries of the cache (everything after the header): the expensive part of `render`,
    /// which a run does beside writing its outputs (`Runner.run`), since it needs only the results.
    static func body(results: [TerreinResult], keys: [TerreinKey], schema: IndicatorSchema,
                     storedJSON: [Substring?]? = nil) throws -> Data {
        precondition(results.count == keys.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var body = Data()
        for (n, (r, k)) in zip(results, keys).enumerated() {
            body.append(contentsOf: Hex.encode(r.id.utf8).utf8)
            body.append(UInt8(ascii: "\t"))
            body.append(contentsOf: k.parts.map(\.hex).joined(separator: ",").utf8)
            body.append(UInt8(ascii: "\t"))
            // JSON escapes control characters, so a record never holds a tab or a newline.
            if let stored = storedJSON?[n] {
                body.append(contentsOf: stored.utf8)
            } else {
                body.append(try encoder.encode(try ResultRecord(r, schema: schema)))
            }
            body.append(UInt8(ascii: "\n"))
        }
        return body
    }
}
