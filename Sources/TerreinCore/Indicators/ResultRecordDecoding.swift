import Foundation
import TerreinJSON

/// Reading a stored `ResultRecord` with Terrein's own JSON scanner: the JSON that `JSONEncoder`
/// writes for it (`ResultCache.render`), member by member, into the same values
/// `JSONDecoder` gives (checked on every record of the sample's and the incremental scenarios'
/// caches, `ResultRecordDecodingTests`).
///
/// Why: decoding the reused records with `JSONDecoder` was 7.6 % of an incremental run's CPU
/// at scale L (`perf record`, 2026-12-01: 3,800 records of 2.4 KB), about a second of wall time
/// on 2 cores. The families' details (a JSON string each) are still decoded by the families.
///
/// Like `JSONDecoder`, unknown members are passed over; a missing member, a value of another
/// type or trailing bytes are errors (and the cache is then not trusted).
extension ResultRecord {
    init(storedJSON json: Substring) throws {
        let s = JSONScanner(bytes: Array(json.utf8))
        do {
            self = try Self.decode(s)
            try s.skipWhitespace()
            guard try s.isAtEnd() else { throw s.error("bytes after the record") }
        } catch let e as ScanError {
            throw ResultRecordError("the record does not decode at column \(e.column): \(e.message)")
        }
    }

    private static func decode(_ s: JSONScanner) throws -> ResultRecord {
        var id: String?, region: String?, families: [FamilyRecord]?
        try s.forEachMember { key in
            switch key {
            case "id": id = try s.parseString()
            case "region": region = try optional(s) { try s.parseString() }
            case "families": families = try array(s) { try family(s) }
            default: try s.skipValue()
            }
        }
        return ResultRecord(id: try required(id, "id", s), region: region, families: try required(families, "families", s))
    }

    private static func family(_ s: JSONScanner) throws -> FamilyRecord {
        var name: String?, cells: [CellRecord]?, accumulators: [UInt64?]?, detail: String?, display: [DisplayRecord]?
        try s.forEachMember { key in
            switch key {
            case "name": name = try s.parseString()
            case "cells": cells = try array(s) { try cell(s) }
            case "accumulators": accumulators = try array(s) { try optional(s) { try s.parseUInt64() } }
            case "detail": detail = try optional(s) { try s.parseString() }
            case "display": display = try array(s) { try displayRecord(s) }
            default: try s.skipValue()
            }
        }
        return FamilyRecord(name: try required(name, "name", s), cells: try required(cells, "cells", s),
                            accumulators: try required(accumulators, "accumulators", s), detail: detail,
                            display: try required(display, "display", s))
    }

    /// `{"null":{}}`, `{"text":{"_0":"…"}}`, `{"integer":{"_0":1}}`, `{"real":{"_0":bits}}`,
    /// `{"boolean":{"_0":true}}`: Swift's encoding of an enum with associated values.
    private static func cell(_ s: JSONScanner) throws -> CellRecord {
        var out: CellRecord?
        try s.forEachMember { key in
            guard out == nil else { throw s.error("a cell with more than one case") }
            func payload<T>(_ read: () throws -> T) throws -> T {
                var value: T?
                try s.forEachMember { k in if k == "_0" { value = try read() } else { try s.skipValue() } }
                return try required(value, "_0", s)
            }
            switch key {
            case "null": try s.forEachMember { _ in try s.skipValue() }; out = .null
            case "text": out = .text(try payload { try s.parseString() })
            case "integer":
                out = .integer(try payload {
                    let n = try s.parseNumber()
                    guard n.isInteger, let i = n.integer, let v = Int(exactly: i) else { throw s.error("an integer cell that is not an integer") }
                    return v
                })
            case "real": out = .real(try payload { try s.parseUInt64() })
            case "boolean":
                out = .boolean(try payload {
                    guard case .bool(let b) = try s.parseValue() else { throw s.error("a boolean cell that is not a boolean") }
                    return b
                })
            default: throw s.error("a cell of unknown case \"\(key)\"")
            }
        }
        return try required(out, "a cell's case", s)
    }

    private static func displayRecord(_ s: JSONScanner) throws -> DisplayRecord {
        var layer: String?, kind: String?, name: String?, value: UInt64?, count: Int?, wkb: String?
        try s.forEachMember { key in
            switch key {
            case "layer": layer = try s.parseString()
            case "kind": kind = try s.parseString()
            case "name": name = try optional(s) { try s.parseString() }
            case "value": value = try s.parseUInt64()
            case "count":
                count = try optional(s) {
                    let n = try s.parseNumber()
                    guard n.isInteger, let i = n.integer, let v = Int(exactly: i) else { throw s.error("a count that is not an integer") }
                    return v
                }
            case "wkb": wkb = try s.parseString()
            default: try s.skipValue()
            }
        }
        return DisplayRecord(layer: try required(layer, "layer", s), kind: try required(kind, "kind", s), name: name,
                             value: try required(value, "value", s), count: count, wkb: try required(wkb, "wkb", s))
    }

    private static func array<T>(_ s: JSONScanner, _ element: () throws -> T) throws -> [T] {
        var out: [T] = []
        try s.forEachElement { out.append(try element()) }
        return out
    }

    /// `null` is nil (as is a member left out, which the caller's nil stands for).
    private static func optional<T>(_ s: JSONScanner, _ read: () throws -> T) throws -> T? {
        if try s.nextIs(UInt8(ascii: "n")) { _ = try s.parseValue(); return nil }
        return try read()
    }

    private static func required<T>(_ v: T?, _ name: String, _ s: JSONScanner) throws -> T {
        guard let v else { throw s.error("member \"\(name)\" is missing") }
        return v
    }
}
