import Foundation
import TerreinGeometry
import TerreinIO

/// A `TerreinResult` as a value that can be stored and read back exactly: every cell and
/// accumulator with its bits (doubles as their IEEE 754 bit patterns), and each family's detail
/// (`IndicatorFamily.Detail`). The incremental cache and shard outputs keep results this way, so
/// that tables, region rows and the manifest built from stored results are the bytes a fresh
/// computation gives. Per-family CPU seconds are not kept (a stored result cost nothing).
public struct ResultRecord: Codable, Sendable, Equatable {
    /// The version of this encoding; a record of another version is not read.
    public static let formatVersion = 1

    public var id: String
    public var region: String?
    public var families: [FamilyRecord]

    public struct FamilyRecord: Codable, Sendable, Equatable {
        /// `IndicatorFamily.name`, checked when read back.
        public var name: String
        public var cells: [CellRecord]
        /// Bit patterns of the accumulators, nil where the accumulator is.
        public var accumulators: [UInt64?]
        /// The family's detail as JSON, nil where the family gave none.
        public var detail: String?
        /// The family's profile display features (empty unless the run collected them).
        public var display: [DisplayRecord] = []
    }

    /// A `ProfileFeature` with its geometry as WKB (base64, since cache format 2), which keeps
    /// every coordinate's bits. Base64 rather than hex: at scale L with every format on, the
    /// cache held 609 MB, mostly the display WKB in hex; base64 is a third smaller, and
    /// Foundation encodes it at about 2.7 GB/s on this machine (200 MB in 0.075 s).
    public struct DisplayRecord: Codable, Sendable, Equatable {
        public var layer: String
        public var kind: String
        public var name: String?
        public var value: UInt64
        public var count: Int?
        public var wkb: String

        init(layer: String, kind: String, name: String?, value: UInt64, count: Int?, wkb: String) {
            self.layer = layer; self.kind = kind; self.name = name; self.value = value; self.count = count; self.wkb = wkb
        }

        init(_ f: ProfileFeature) throws {
            layer = f.layer.rawValue
            kind = f.kind
            name = f.name
            value = f.value.bitPattern
            count = f.count
            wkb = Data(try f.geometry.wkb()).base64EncodedString()
        }

        func feature(terrein: String) throws -> ProfileFeature {
            guard let l = ProfileLayer(rawValue: layer) else {
                throw ResultRecordError("record of \(terrein): unknown display layer \(layer)")
            }
            guard let bytes = Data(base64Encoded: wkb).map(Array.init) else {
                throw ResultRecordError("record of \(terrein): a display geometry of layer \(layer) is not base64 WKB")
            }
            return ProfileFeature(layer: l, kind: kind, name: name, value: Double(bitPattern: value), count: count,
                                  geometry: try Geometry.fromWKB(bytes))
        }
    }

    /// A table cell with its exact value.
    public enum CellRecord: Codable, Sendable, Equatable {
        case null, text(String), integer(Int), real(UInt64), boolean(Bool)

        init(_ c: Cell) {
            switch c {
            case .null: self = .null
            case .text(let s): self = .text(s)
            case .integer(let n): self = .integer(n)
            case .real(let d): self = .real(d.bitPattern)
            case .boolean(let b): self = .boolean(b)
            }
        }

        var cell: Cell {
            switch self {
            case .null: return .null
            case .text(let s): return .text(s)
            case .integer(let n): return .integer(n)
            case .real(let bits): return .real(Double(bitPattern: bits))
            case .boolean(let b): return .boolean(b)
            }
        }
    }

    init(id: String, region: String?, families: [FamilyRecord]) {
        self.id = id; self.region = region; self.families = families
    }

    /// The record of a computed result, for the families of `schema` (in its order).
    public init(_ result: TerreinResult, schema: IndicatorSchema) throws {
        guard result.outputs.count == schema.families.count else {
            throw ResultRecordError("result of \(result.id) has \(result.outputs.count) family outputs for \(schema.families.count) families")
        }
        id = result.id
        region = result.region
        families = try zip(schema.families, result.outputs).map { family, out in
            FamilyRecord(name: family.name, cells: out.cells.map(CellRecord.init),
                         accumulators: out.accumulators.map { $0?.bitPattern },
                         detail: try family.encodeDetail(out.detail),
                         display: try out.display.map(DisplayRecord.init))
        }
    }

    /// The result again, checked against `schema`: the same families in the same order with
    /// the same numbers of columns and accumulators, else a `ResultRecordError` (a record of
    /// another schema is never trusted).
    public func result(schema: IndicatorSchema) throws -> TerreinResult {
        guard families.count == schema.families.count else {
            throw ResultRecordError("record of \(id) has \(families.count) families, the schema \(schema.families.count)")
        }
        var outputs: [FamilyOutput] = []
        outputs.reserveCapacity(families.count)
        for (k, (family, record)) in zip(schema.families, families).enumerated() {
            guard record.name == family.name else {
                throw ResultRecordError("record of \(id): family \(k) is \(record.name), the schema has \(family.name)")
            }
            guard record.cells.count == schema.columns[k].count, record.accumulators.count == schema.accumulators[k].count else {
                throw ResultRecordError("record of \(id): family \(family.name) has \(record.cells.count) cells and "
                                        + "\(record.accumulators.count) accumulators, the schema \(schema.columns[k].count) and \(schema.accumulators[k].count)")
            }
            outputs.append(FamilyOutput(cells: record.cells.map(\.cell),
                                        accumulators: record.accumulators.map { $0.map(Double.init(bitPattern:)) },
                                        detail: try record.detail.map { try family.decodeDetail($0, terrein: id) },
                                        display: try record.display.map { try $0.feature(terrein: id) }))
        }
        return TerreinResult(id: id, region: region, outputs: outputs,
                             cpuSeconds: [Double](repeating: 0, count: families.count))
    }
}

/// A stored result that does not fit the run's schema, or does not decode.
public struct ResultRecordError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

extension IndicatorFamily {
    /// The detail as JSON (sorted keys, so equal details give equal text; non-finite numbers
    /// as strings), nil for none.
    func encodeDetail(_ detail: Any?) throws -> String? {
        guard let detail else { return nil }
        guard let typed = detail as? Detail else {
            throw ResultRecordError("family \(name) gave a detail of type \(type(of: detail)), declared \(Detail.self)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(typed), as: UTF8.self)
    }

    func decodeDetail(_ json: String, terrein: String) throws -> Any {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(Detail.self, from: Data(json.utf8))
        } catch {
            throw ResultRecordError("record of \(terrein): the detail of family \(name) does not decode: \(error)")
        }
    }
}
