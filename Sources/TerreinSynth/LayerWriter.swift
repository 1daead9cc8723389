import Foundation

/// A property value as it is written.
enum PropertyValue {
    case string(String)
    /// A number printed with a fixed count of decimals.
    case number(Double, decimals: Int)
    case null
}

/// A ring as interleaved x, y in integer millimetres (RD New), not closed: the writer repeats
/// the first vertex. Working in millimetres makes shared vertices exactly shared and the
/// printed coordinates exactly the generated ones.
typealias Ring = [Int64]
/// Exterior ring first, then holes.
typealias PolygonRings = [Ring]

struct SynthFeature {
    var properties: [(String, PropertyValue)]
    var polygons: [PolygonRings]
    /// Write a MultiPolygon even when there is one polygon.
    var forceMulti = false

    init(_ properties: [(String, PropertyValue)], polygons: [PolygonRings], forceMulti: Bool = false) {
        self.properties = properties
        self.polygons = polygons
        self.forceMulti = forceMulti
    }

    init(_ properties: [(String, PropertyValue)], polygon: PolygonRings) {
        self.init(properties, polygons: [polygon])
    }
}

/// How a layer file is encoded.
enum LayerEncoding {
    /// A FeatureCollection in RD New with the legacy `"crs"` member (GDAL's style).
    case collectionRD
    /// An RFC 7946 FeatureCollection in WGS84 longitude/latitude (no crs member).
    case collectionWGS84
    /// GeoJSON text sequence: one Feature per line, RD New coordinates, no crs member.
    case sequenceRD
}

/// Streams the features of one layer into one file.
final class LayerWriter {
    let layer: String
    let fileName: String
    let encoding: LayerEncoding
    private let sink: ByteSink
    private let reproject: Reproject?
    private(set) var features = 0
    private(set) var vertices = 0
    /// Each feature's bounding box in RD New metres (the heat map is drawn around the terreinen).
    private(set) var featureBounds: [HeatMap.Box] = []
    private var lonLat: [Double] = []

    init(directory: URL, fileName: String, layer: String, encoding: LayerEncoding,
         reproject: Reproject? = nil) throws {
        self.layer = layer
        self.fileName = fileName
        self.encoding = encoding
        self.reproject = reproject
        if case .collectionWGS84 = encoding, reproject == nil {
            throw SynthError.missingReprojection(layer: layer)
        }
        sink = try ByteSink(url: directory.appendingPathComponent(fileName))
        switch encoding {
        case .collectionRD:
            sink.ascii("{\"type\":\"FeatureCollection\",\"name\":")
            sink.jsonString(layer)
            sink.ascii(",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":[\n")
        case .collectionWGS84:
            sink.ascii("{\"type\":\"FeatureCollection\",\"name\":")
            sink.jsonString(layer)
            sink.ascii(",\"features\":[\n")
        case .sequenceRD:
            break
        }
    }

    func write(_ f: SynthFeature) throws {
        var box: HeatMap.Box?
        for p in f.polygons { for ring in p { var k = 0; while k + 1 < ring.count {
            let x = Double(ring[k]) / 1000, y = Double(ring[k + 1]) / 1000
            if let b = box { box = HeatMap.Box(minX: min(b.minX, x), minY: min(b.minY, y), maxX: max(b.maxX, x), maxY: max(b.maxY, y)) }
            else { box = HeatMap.Box(minX: x, minY: y, maxX: x, maxY: y) }
            k += 2
        } } }
        if let box { featureBounds.append(box) }
        switch encoding {
        case .collectionRD, .collectionWGS84:
            if features > 0 { sink.ascii(",\n") }
        case .sequenceRD:
            break
        }
        sink.ascii("{\"type\":\"Feature\",\"properties\":{")
        var first = true
        for (key, value) in f.properties {
            if !first { sink.byte(UInt8(ascii: ",")) }
            first = false
            sink.jsonString(key)
            sink.byte(UInt8(ascii: ":"))
            switch value {
            case .string(let s): sink.jsonString(s)
            case .number(let v, let d): sink.fixed(v, decimals: d)
            case .null: sink.ascii("null")
            }
        }
        let multi = f.forceMulti || f.polygons.count > 1
        if multi {
            sink.ascii("},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[")
        } else {
            sink.ascii("},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":")
        }
        if case .collectionWGS84 = encoding {
            try writeLonLat(f.polygons)
        } else {
            for (pi, poly) in f.polygons.enumerated() {
                if pi > 0 { sink.byte(UInt8(ascii: ",")) }
                sink.byte(UInt8(ascii: "["))
                for (ri, ring) in poly.enumerated() {
                    if ri > 0 { sink.byte(UInt8(ascii: ",")) }
                    sink.byte(UInt8(ascii: "["))
                    let n = ring.count / 2
                    for i in 0...n {
                        let j = (i == n ? 0 : i) * 2
                        if i > 0 { sink.byte(UInt8(ascii: ",")) }
                        sink.byte(UInt8(ascii: "["))
                        sink.scaled(ring[j], decimals: 3)
                        sink.byte(UInt8(ascii: ","))
                        sink.scaled(ring[j + 1], decimals: 3)
                        sink.byte(UInt8(ascii: "]"))
                    }
                    vertices += n + 1
                    sink.byte(UInt8(ascii: "]"))
                }
                sink.byte(UInt8(ascii: "]"))
            }
        }
        if multi { sink.byte(UInt8(ascii: "]")) }
        sink.ascii("}}")
        if case .sequenceRD = encoding { sink.byte(0x0A) }
        features += 1
        try sink.flushIfNeeded()
    }

    private func writeLonLat(_ polygons: [PolygonRings]) throws {
        lonLat.removeAll(keepingCapacity: true)
        for poly in polygons {
            for ring in poly {
                for v in ring { lonLat.append(Double(v) / 1000.0) }
            }
        }
        do {
            try reproject!(&lonLat)
        } catch {
            throw SynthError.reprojection("\(layer): \(error)")
        }
        var k = 0
        // RD New input must land in and around its area of use (lon 3.2-7.3, lat 50.7-53.7):
        // this also catches a transformation that returns latitude first.
        for i in stride(from: 0, to: lonLat.count, by: 2) {
            let lon = lonLat[i], lat = lonLat[i + 1]
            guard lon.isFinite, lat.isFinite, lon >= 2, lon <= 8.5, lat >= 50, lat <= 54.5 else {
                throw SynthError.reprojection("\(layer): (\(lon), \(lat)) is not a longitude/latitude pair in the "
                    + "Netherlands; the transformation must return longitude first, in degrees")
            }
        }
        for (pi, poly) in polygons.enumerated() {
            if pi > 0 { sink.byte(UInt8(ascii: ",")) }
            sink.byte(UInt8(ascii: "["))
            for (ri, ring) in poly.enumerated() {
                if ri > 0 { sink.byte(UInt8(ascii: ",")) }
                sink.byte(UInt8(ascii: "["))
                let n = ring.count / 2
                for i in 0...n {
                    let j = k + (i == n ? 0 : i) * 2
                    if i > 0 { sink.byte(UInt8(ascii: ",")) }
                    sink.byte(UInt8(ascii: "["))
                    sink.fixed(lonLat[j], decimals: 7)
                    sink.byte(UInt8(ascii: ","))
                    sink.fixed(lonLat[j + 1], decimals: 7)
                    sink.byte(UInt8(ascii: "]"))
                }
                k += ring.count
                vertices += n + 1
                sink.byte(UInt8(ascii: "]"))
            }
            sink.byte(UInt8(ascii: "]"))
        }
    }

    func finish() throws -> LayerSummary {
        switch encoding {
        case .collectionRD, .collectionWGS84:
            sink.ascii(features > 0 ? "\n]}\n" : "]}\n")
        case .sequenceRD:
            break
        }
        try sink.close()
        return LayerSummary(layer: layer, file: fileName, features: features,
                            vertices: vertices, bytes: sink.bytesWritten)
    }
}
