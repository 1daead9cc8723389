import Foundation

/// Writing roof faces as the Terrein roofs layer (GeoJSON FeatureCollection).
extension CityJSONRoofExtractor {
    /// Number formatting of the GeoJSON output.
    public struct GeoJSONFormat: Equatable, Sendable {
        /// Decimals of coordinates (3 = millimetres with metre CRSs).
        public var coordinateDecimals: Int = 3
        /// Decimals of slope_deg and azimuth_deg.
        public var angleDecimals: Int = 2

        public init(coordinateDecimals: Int = 3, angleDecimals: Int = 2) {
            self.coordinateDecimals = max(0, min(coordinateDecimals, 9))
            self.angleDecimals = max(0, min(angleDecimals, 9))
        }
    }

    /// The horizontal EPSG code shared by all inputs (those with an unknown CRS are not counted),
    /// nil if none is known.
    /// - Throws: `CityJSONError` of kind `.crsMismatch` when inputs are in different reference systems.
    public static func commonEPSG(_ roofs: [CityJSONRoofs]) throws -> Int? {
        var code: Int? = nil
        var from = ""
        for r in roofs {
            guard let e = r.epsg else { continue }
            if let c = code, c != e {
                throw CityJSONError(.crsMismatch, sourceName: r.sourceName,
                                    message: "EPSG:\(e) differs from EPSG:\(c) of \(from); inputs of one roofs layer must share a reference system")
            }
            code = e
            from = r.sourceName
        }
        return code
    }

    /// A GeoJSON FeatureCollection with one Polygon feature per roof face, properties
    /// `slope_deg`, `azimuth_deg` (null for flat faces) and `building_id`, in input order
    /// (files as given, CityObjects by id, faces in geometry order). When the EPSG code is known
    /// the legacy `crs` member `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::<code>"}}`
    /// is written. One feature per line; the text ends with a newline.
    /// - Throws: `CityJSONError` `.crsMismatch` when the inputs have different EPSG codes.
    public static func geoJSON(_ roofs: [CityJSONRoofs], format: GeoJSONFormat = .init()) throws -> String {
        let epsg = try commonEPSG(roofs)
        var out = "{\"type\":\"FeatureCollection\""
        if let epsg {
            out += ",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::\(epsg)\"}}"
        }
        out += ",\"features\":["
        var first = true
        for r in roofs {
            for face in r.faces {
                out += first ? "\n" : ",\n"
                first = false
                appendFeature(face, format: format, to: &out)
            }
        }
        out += "\n]}\n"
        return out
    }

    static func appendFeature(_ face: RoofFace, format: GeoJSONFormat, to out: inout String) {
        out += "{\"type\":\"Feature\",\"properties\":{\"slope_deg\":"
        out += NumberText.fixed(face.slopeDeg, decimals: format.angleDecimals)
        out += ",\"azimuth_deg\":"
        if let az = face.azimuthDeg {
            out += NumberText.angle360(az, decimals: format.angleDecimals)
        } else {
            out += "null"
        }
        out += ",\"building_id\":"
        NumberText.appendJSONString(face.buildingId, to: &out)
        out += "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
        var firstRing = true
        for ring in face.rings {
            let texts = NumberText.ringTexts(ring, decimals: format.coordinateDecimals)
            // A hole that collapses at the output precision is left out; the outer ring is always written.
            if !firstRing && texts.count < 4 { continue }
            if !firstRing { out += "," }
            out += "["
            out += texts.joined(separator: ",")
            out += "]"
            firstRing = false
        }
        out += "]}}"
    }
}

/// Deterministic, locale-free number and string text for the GeoJSON writer.
enum NumberText {
    static let powers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    /// `v` rounded to `decimals` places, trailing zeros removed, never "-0".
    static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return "null" }
        let scaled = (v * powers[decimals]).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9.0e15 else { return String(format: "%.\(decimals)f", v) }
        return fromScaled(Int64(scaled), decimals: decimals)
    }

    /// An angle in [0, 360) rounded to `decimals`; a value that rounds to 360 is written as 0.
    static func angle360(_ v: Double, decimals: Int) -> String {
        var scaled = Int64((v * powers[decimals]).rounded(.toNearestOrAwayFromZero))
        let full = Int64(360 * powers[decimals])
        scaled %= full
        if scaled < 0 { scaled += full }
        return fromScaled(scaled, decimals: decimals)
    }

    static func fromScaled(_ scaled: Int64, decimals: Int) -> String {
        if scaled == 0 { return "0" }
        let p = Int64(powers[decimals])
        let magnitude = scaled.magnitude
        var text = scaled < 0 ? "-" : ""
        text += String(magnitude / UInt64(p))
        var frac = magnitude % UInt64(p)
        if frac != 0 {
            var digits = decimals
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            let f = String(frac)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    /// Position texts `[x,y]` of a closed ring, dropping consecutive repeats made by rounding.
    static func ringTexts(_ ring: [SIMD2<Double>], decimals: Int) -> [String] {
        var texts: [String] = []
        texts.reserveCapacity(ring.count)
        for p in ring {
            let t = "[" + fixed(p.x, decimals: decimals) + "," + fixed(p.y, decimals: decimals) + "]"
            if t != texts.last { texts.append(t) }
        }
        // Keep the ring closed: the last position must repeat the first.
        if let f = texts.first, texts.count == 1 || texts.last != f { texts.append(f) }
        return texts
    }

    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
