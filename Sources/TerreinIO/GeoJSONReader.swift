import TerreinJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GeoJSON geometry types.
public enum GeoJSONType: String, Sendable {
    case point = "Point", multiPoint = "MultiPoint", lineString = "LineString"
    case multiLineString = "MultiLineString", polygon = "Polygon", multiPolygon = "MultiPolygon"
    case geometryCollection = "GeometryCollection"

    /// Nesting depth of `coordinates` (1 = a position).
    var coordinateDepth: Int {
        switch self {
        case .point: return 1
        case .multiPoint, .lineString: return 2
        case .multiLineString, .polygon: return 3
        case .multiPolygon: return 4
        case .geometryCollection: return 0
        }
    }
}

/// A geometry as read: coordinates in the file's CRS, x,y interleaved (z and m dropped).
///
/// `lineEnds[i]` is the end (in positions) of the i-th innermost position list (a ring or
/// a line); `partEnds[j]` the end (in `lineEnds` entries) of the j-th polygon.
public struct RawGeometry: Sendable {
    public var type: GeoJSONType
    public var xy: [Double] = []
    public var lineEnds: [Int] = []
    public var partEnds: [Int] = []
    public var members: [RawGeometry] = []
    /// The highest coordinate dimension seen (2, 3 or 4).
    public var dimension: Int = 2

    public init(type: GeoJSONType) { self.type = type }

    /// The polygons as rings of interleaved x,y (for Polygon and MultiPolygon).
    public var polygons: [[[Double]]] {
        var out: [[[Double]]] = []
        var ringStart = 0
        var positionStart = 0
        for partEnd in partEnds {
            var rings: [[Double]] = []
            for r in ringStart..<partEnd {
                let e = lineEnds[r]
                rings.append(Array(xy[(positionStart * 2)..<(e * 2)]))
                positionStart = e
            }
            ringStart = partEnd
            out.append(rings)
        }
        return out
    }

    public var positionCount: Int { xy.count / 2 + members.reduce(0) { $0 + $1.positionCount } }
}

/// One feature as read.
public struct GeoJSONFeature: Sendable {
    /// 0-based position of the feature in the file.
    public var index: Int
    public var line: Int
    public var column: Int
    /// nil for a `null` geometry or a feature without a geometry member.
    public var geometry: RawGeometry?
    public var hasGeometryMember: Bool
    public var properties: JSONObject
    /// Where the feature object lies in the file (absolute offsets, from its `{` to its `}`),
    /// for an element of a FeatureCollection or a sequence: read alone, as a part
    /// (`init(path:range:)`), it gives the same feature again (`LoadedLayers.materialize`).
    public var byteRange: Range<Int>? = nil
}

/// How a GeoJSON file is encoded.
public enum GeoJSONEncoding: String, Sendable {
    case featureCollection = "FeatureCollection"
    case feature = "Feature"
    case sequence = "GeoJSONSeq"
}

/// Streaming GeoJSON reader: FeatureCollection, a lone Feature, and GeoJSON text
/// sequences (RFC 8142, with or without the 0x1E record separator, one feature per line).
/// Memory is bounded by the largest feature, not the file.
public final class GeoJSONReader {
    public let path: String
    private let scanner: JSONScanner
    /// The legacy `crs` member's name, when the file has one.
    public private(set) var declaredCRS: String?
    /// True when the `crs` member came after the first feature (a second pass is needed
    /// to reproject with it).
    public private(set) var crsAfterFeatures = false
    public private(set) var encoding: GeoJSONEncoding = .featureCollection
    private var featuresSeen = 0

    public static let sequenceExtensions = ["geojsonl", "geojsons", "geojsonseq", "jsonl", "ndjson", "geojsonld"]

    /// Opens a file. Throws `InputError` when it cannot be opened or is not a regular file
    /// (a directory, or a FIFO or device, which would block or never end).
    public init(path: String) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, problem: "this is a directory, not a GeoJSON file",
                             hint: "point the layer's path at a .geojson or .geojsonl file")
        }
        let fd = try InputFile.openForReading(path, hint: "check the path in the pipeline file (relative paths are relative to the pipeline file) and that the file is readable")
        scanner = JSONScanner(fd: fd, closeOnDeinit: true)
        let hasher = StreamingSHA256()
        self.hasher = hasher
        scanner.onBytes = { hasher.update($0) }
    }

    /// Reads the bytes `range` of a GeoJSONSeq file, which must start and end at record
    /// boundaries (a line's start, or the file's start and end): one part of a file read by
    /// several threads (`LoadedLayers.load`). Nothing is hashed (the file is hashed whole
    /// beside the parts), lines count from 1 at the range's start, and feature indices from 0.
    public init(path: String, range: Range<Int>) throws {
        self.path = path
        let fd = try InputFile.openForReading(path, hint: "check the path in the pipeline file (relative paths are relative to the pipeline file) and that the file is readable")
        do {
            scanner = try JSONScanner(fd: fd, closeOnDeinit: true, range: range)
        } catch let e as ScanError {
            close(fd)
            throw InputError(file: path, problem: e.message)
        }
        sequencePart = true
    }

    /// A part of a GeoJSONSeq file (`init(path:range:)`).
    private var sequencePart = false

    private var hasher: StreamingSHA256?

    /// SHA-256 of the file's bytes, hashed while they were parsed: complete once `read`
    /// has returned without error (it reads to the end of the file).
    public var sha256: String? { hasher?.hex }

    /// Bytes consumed so far (for progress bars).
    public var bytesRead: Int { scanner.offset }

    /// Reads GeoJSON from memory (tests, fuzzing). `name` stands for the file in messages.
    public init(bytes: [UInt8], name: String) {
        path = name
        scanner = JSONScanner(bytes: bytes)
    }

    private func inputError(_ e: ScanError, feature: Int? = nil) -> InputError {
        InputError(file: path, featureIndex: feature, line: e.line, column: e.column, problem: e.message,
                   hint: e.hint.isEmpty ? Self.syntaxHint : e.hint)
    }

    /// What to do about a syntax or structure error that has no more specific hint.
    static let positionHint = "a position is an array of numbers [x, y] (z and m may follow and are ignored); fix or drop this feature in the source"

    static let syntaxHint = "the file is not valid GeoJSON at this line and column: fix it there or export the layer again (`terrein inspect FILE` shows what Terrein reads)"

    /// The legacy `crs` member of a file, read to the end without keeping features; nil
    /// when the file has none. `crsAfterFeatures`: it came after the first feature.
    public static func declaredCRS(path: String) throws -> (name: String, crsAfterFeatures: Bool)? {
        let reader = try GeoJSONReader(path: path)
        try reader.read { _ in }
        return reader.declaredCRS.map { ($0, reader.crsAfterFeatures) }
    }

    /// Streams every feature to `body`, in file order.
    public func read(_ body: (GeoJSONFeature) throws -> Void) throws {
        do {
            if sequencePart {
                encoding = .sequence
                try readSequence(body)
                return
            }
            try scanner.skipByteOrderMark()
            try scanner.skipWhitespace()
            let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
            let empty = try scanner.isAtEnd()
            if Self.sequenceExtensions.contains(ext) && empty {
                // A text sequence of zero records is a valid, empty layer (RFC 8142).
                encoding = .sequence
                return
            }
            if empty {
                throw InputError(file: path, line: scanner.line, column: scanner.column, problem: "the file is empty",
                                 hint: "export the layer again; an empty layer is written as {\"type\":\"FeatureCollection\",\"features\":[]}")
            }
            let first = try scanner.peek()
            if first == 0x1E || Self.sequenceExtensions.contains(ext) {
                encoding = .sequence
                try readSequence(body)
                return
            }
            guard first == 0x7B else {
                throw inputError(try scanner.unexpected(expected: "a GeoJSON object '{'"))
            }
            try readTopLevel(body)
        } catch let e as ScanError {
            throw inputError(e, feature: currentFeature)
        }
    }

    private var currentFeature: Int?
    /// Doubles reserved for the next geometry's coordinates.
    private var xyCapacityHint = 32

    private func readSequence(_ body: (GeoJSONFeature) throws -> Void) throws {
        while true {
            try scanner.skipWhitespaceAndRecordSeparators()
            if try scanner.isAtEnd() { return }
            currentFeature = featuresSeen
            let line = scanner.line, column = scanner.column
            guard try scanner.peek() == 0x7B else {
                throw try scanner.unexpected(expected: "a GeoJSON Feature object '{' starting a sequence record")
            }
            let startLine = scanner.line
            let start = scanner.offset
            var feature = try parseFeature(index: featuresSeen, line: line, column: column)
            feature.byteRange = start..<scanner.offset
            featuresSeen += 1
            try body(feature)
            currentFeature = nil
            // One record per line: the next record must not start on the same line.
            try scanner.skipWhitespace()
            let atEnd = try scanner.isAtEnd()
            let next = try scanner.peek()
            if !atEnd && scanner.line == startLine && next != 0x1E {
                throw try scanner.unexpected(expected: "a line break after a sequence record")
            }
        }
    }

    /// Reads a FeatureCollection or a lone Feature (whose type we learn from its members).
    private func readTopLevel(_ body: (GeoJSONFeature) throws -> Void) throws {
        let line = scanner.line, column = scanner.column
        var type: String?
        var sawFeatures = false
        // Members of a lone Feature, should it turn out to be one.
        var featureParts = FeatureParts()
        try scanner.forEachMember { key in
            switch key {
            case "type":
                type = try scanner.parseString()
                guard type == "FeatureCollection" || type == "Feature" else {
                    throw topLevelTypeError(type!)
                }
                if type == "Feature" && sawFeatures {
                    // Its features were already handed out: it cannot be a lone Feature too.
                    throw scanner.error("a Feature cannot have a \"features\" member",
                                        hint: "write \"type\": \"FeatureCollection\" for a file with a features array")
                }
            case "features":
                if type == "Feature" {
                    throw scanner.error("a Feature cannot have a \"features\" member",
                                        hint: "write \"type\": \"FeatureCollection\" for a file with a features array")
                }
                guard try scanner.nextIs(0x5B) else {
                    throw try scanner.unexpected(expected: "an array of features")
                }
                sawFeatures = true
                try scanner.forEachElement {
                    currentFeature = featuresSeen
                    let fl = scanner.line, fc = scanner.column
                    guard try scanner.nextIs(0x7B) else {
                        throw try scanner.unexpected(expected: "a Feature object '{'")
                    }
                    let start = scanner.offset
                    var feature = try parseFeature(index: featuresSeen, line: fl, column: fc)
                    feature.byteRange = start..<scanner.offset
                    featuresSeen += 1
                    try body(feature)
                    currentFeature = nil
                }
            case "crs":
                let value = try scanner.parseValue()
                declaredCRS = try crsName(value)
                if featuresSeen > 0 { crsAfterFeatures = true }
            default:
                if type != "FeatureCollection" {
                    // Could be a Feature member.
                    if try parseFeatureMember(key, into: &featureParts) { return }
                }
                try scanner.skipValue()
            }
        }
        try scanner.skipWhitespace()
        if type == "Feature" || (type == nil && !sawFeatures && featureParts.any) {
            guard type == "Feature" else {
                throw ScanError(line: line, column: column, message: "the top-level object has no \"type\"",
                                hint: "a GeoJSON file is a FeatureCollection or a Feature")
            }
            encoding = .feature
            currentFeature = 0
            featuresSeen = 1
            try body(featureParts.feature(index: 0, line: line, column: column))
            currentFeature = nil
            // Newline-delimited features in a .geojson file: read on as a sequence.
            if try scanner.nextIs(0x7B) {
                encoding = .sequence
                try readSequence(body)
                return
            }
        } else if type == nil {
            throw ScanError(line: line, column: column, message: "the top-level object has no \"type\" member",
                            hint: "a GeoJSON file is a FeatureCollection: {\"type\":\"FeatureCollection\",\"features\":[...]}")
        } else if !sawFeatures {
            throw ScanError(line: line, column: column, message: "the FeatureCollection has no \"features\" array",
                            hint: "add \"features\": [] for an empty layer")
        }
        if !(try scanner.isAtEnd()) {
            var e = try scanner.unexpected(expected: "the end of the file after the GeoJSON object (trailing data)")
            e.hint = "a .geojson file holds one object; remove what follows it (a file with one feature per line is a GeoJSONSeq: name it .geojsonl)"
            throw e
        }
    }

    private func topLevelTypeError(_ type: String) -> ScanError {
        if GeoJSONType(rawValue: type) != nil {
            return scanner.error("the file holds a bare \(type) geometry, not a Feature or FeatureCollection",
                                 hint: "wrap it in a Feature with properties (ogr2ogr -f GeoJSON writes FeatureCollections)")
        }
        return scanner.error("the top-level \"type\" is \"\(type)\", expected \"FeatureCollection\" or \"Feature\"")
    }

    private func crsName(_ value: JSONValue) throws -> String? {
        guard case .object(let o) = value else {
            if value == .null { return nil }
            throw scanner.error("the \"crs\" member must be an object like {\"type\":\"name\",\"properties\":{\"name\":\"EPSG:28992\"}}")
        }
        guard o["type"]?.stringValue == "name", case .object(let p)? = o["properties"], let name = p["name"]?.stringValue else {
            throw scanner.error("unsupported \"crs\" member (only {\"type\":\"name\",...} is supported)",
                                hint: "remove the crs member and set crs: for this layer in the pipeline file")
        }
        return name
    }

    // MARK: Features

    private struct FeatureParts {
        var type: String?
        var geometry: RawGeometry?
        var hasGeometryMember = false
        var properties = JSONObject()
        var any: Bool { hasGeometryMember || properties.count > 0 }
        func feature(index: Int, line: Int, column: Int) -> GeoJSONFeature {
            GeoJSONFeature(index: index, line: line, column: column, geometry: geometry,
                           hasGeometryMember: hasGeometryMember, properties: properties)
        }
    }

    /// Handles a Feature member; returns false for members it does not know (skipped by the caller).
    private func parseFeatureMember(_ key: String, into parts: inout FeatureParts) throws -> Bool {
        switch key {
        case "geometry":
            parts.hasGeometryMember = true
            try scanner.skipWhitespace()
            if try scanner.peek() == 0x6E {  // null
                _ = try scanner.parseValue()
                parts.geometry = nil
            } else {
                parts.geometry = try parseGeometry(depth: 0)
            }
            return true
        case "properties":
            let v = try scanner.parseValue()
            switch v {
            case .object(let o): parts.properties = o
            case .null: parts.properties = JSONObject()
            default: throw scanner.error("\"properties\" must be an object or null, found \(v.typeName)")
            }
            return true
        default:
            return false
        }
    }

    private func parseFeature(index: Int, line: Int, column: Int) throws -> GeoJSONFeature {
        var parts = FeatureParts()
        try scanner.forEachMember { key in
            if key == "type" {
                let t = try scanner.parseString()
                guard t == "Feature" else {
                    if GeoJSONType(rawValue: t) != nil {
                        throw scanner.error("expected a Feature, found a bare \(t) geometry",
                                            hint: "every element of \"features\" must be {\"type\":\"Feature\",\"geometry\":...,\"properties\":{...}}")
                    }
                    throw scanner.error("expected \"type\": \"Feature\", found \"\(t)\"")
                }
                parts.type = t
            } else if try !parseFeatureMember(key, into: &parts) {
                try scanner.skipValue()
            }
        }
        guard parts.type != nil else {
            throw ScanError(line: line, column: column, message: "the feature has no \"type\": \"Feature\" member",
                            hint: "every element of \"features\" must be a Feature object")
        }
        return parts.feature(index: index, line: line, column: column)
    }

    // MARK: Geometry

    private func parseGeometry(depth: Int) throws -> RawGeometry {
        guard depth < 32 else { throw scanner.error("GeometryCollections nested deeper than 32 levels") }
        let line = scanner.line, column = scanner.column
        guard try scanner.nextIs(0x7B) else { throw try scanner.unexpected(expected: "a geometry object or null") }
        var type: GeoJSONType?
        var geometry: RawGeometry?
        var deferredCoordinates: JSONValue?
        var members: [RawGeometry]?
        try scanner.forEachMember { key in
            switch key {
            case "type":
                let t = try scanner.parseString()
                guard let gt = GeoJSONType(rawValue: t) else {
                    throw scanner.error("unknown geometry type \"\(t)\"",
                                        hint: "GeoJSON geometry types are Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon and GeometryCollection")
                }
                type = gt
            case "coordinates":
                if let type, type != .geometryCollection {
                    var g = RawGeometry(type: type)
                    // Room for the positions of the previous geometry (at least 16): one
                    // allocation for a roof face's ring, not four (growing 2, 4, 8, 16).
                    g.xy.reserveCapacity(xyCapacityHint)
                    try parseCoordinates(depth: type.coordinateDepth, into: &g)
                    xyCapacityHint = min(max(g.xy.count, 32), 1 << 16)
                    geometry = g
                } else {
                    // Rare: coordinates before type. Parse generically, convert below.
                    deferredCoordinates = try scanner.parseValue()
                }
            case "geometries":
                var list: [RawGeometry] = []
                try scanner.forEachElement { list.append(try parseGeometry(depth: depth + 1)) }
                members = list
            default:
                try scanner.skipValue()
            }
        }
        guard let type else {
            throw ScanError(line: line, column: column, message: "the geometry has no \"type\" member")
        }
        if type == .geometryCollection {
            guard let members else {
                throw ScanError(line: line, column: column, message: "the GeometryCollection has no \"geometries\" array")
            }
            var g = RawGeometry(type: .geometryCollection)
            g.members = members
            return g
        }
        if let geometry { return geometry }
        guard let deferredCoordinates else {
            throw ScanError(line: line, column: column, message: "the \(type.rawValue) has no \"coordinates\" member")
        }
        var g = RawGeometry(type: type)
        try convertCoordinates(deferredCoordinates, depth: type.coordinateDepth, into: &g, line: line, column: column)
        return g
    }

    /// Parses nested coordinate arrays of the expected depth straight into `g`.
    private func parseCoordinates(depth: Int, into g: inout RawGeometry) throws {
        if depth == 1 {
            try parsePosition(into: &g)
            return
        }
        try scanner.skipWhitespace()
        guard try scanner.peek() == 0x5B else {
            throw try scanner.unexpected(expected: depth == 2 ? "an array of positions" : "an array of coordinate arrays")
        }
        try scanner.forEachElement {
            try parseCoordinates(depth: depth - 1, into: &g)
        }
        if depth == 2 { g.lineEnds.append(g.xy.count / 2) }
        if depth == 3 { g.partEnds.append(g.lineEnds.count) }
    }

    private func parsePosition(into g: inout RawGeometry) throws {
        let n = try scanner.parsePosition(into: &g.xy, keep: 2, hint: Self.positionHint)
        guard n >= 2 else {
            throw scanner.error("a position needs at least two numbers [x, y], found \(n)", hint: Self.positionHint)
        }
        if n > g.dimension { g.dimension = n }
    }

    private func convertCoordinates(_ v: JSONValue, depth: Int, into g: inout RawGeometry, line: Int, column: Int) throws {
        guard case .array(let items) = v else {
            throw ScanError(line: line, column: column, message: "\"coordinates\" of a \(g.type.rawValue) has the wrong nesting")
        }
        if depth == 1 {
            let numbers = items.compactMap(\.doubleValue)
            guard numbers.count == items.count, numbers.count >= 2 else {
                throw ScanError(line: line, column: column, message: "a position needs at least two numbers [x, y]")
            }
            g.xy.append(numbers[0]); g.xy.append(numbers[1])
            g.dimension = max(g.dimension, numbers.count)
            return
        }
        for item in items { try convertCoordinates(item, depth: depth - 1, into: &g, line: line, column: column) }
        if depth == 2 { g.lineEnds.append(g.xy.count / 2) }
        if depth == 3 { g.partEnds.append(g.lineEnds.count) }
    }
}
