import Foundation

/// Reading EPSG codes out of CityJSON `metadata.referenceSystem` strings.
public enum CityJSONReferenceSystem {
    /// Compound (horizontal + vertical) and 3D geographic EPSG codes met in 3D city models,
    /// mapped to the 2D horizontal CRS that a roof footprint layer is in.
    /// Pairs checked against the EPSG registry (compound_crs.horiz_crs_code in PROJ's proj.db).
    public static let compoundToHorizontal: [Int: Int] = [
        7415: 28992,  // Amersfoort / RD New + NAP height
        9286: 4258,   // ETRS89 + NAP height
        6190: 31370,  // BD72 / Belgian Lambert 72 + Ostend height
        8370: 3812,   // ETRS89 / Belgian Lambert 2008 + Ostend height
        5554: 25831,  // ETRS89 / UTM zone 31N + DHHN92 height
        5555: 25832,  // ETRS89 / UTM zone 32N + DHHN92 height
        5556: 25833,  // ETRS89 / UTM zone 33N + DHHN92 height
        5971: 25831, 5972: 25832, 5973: 25833, 5974: 25834, 5975: 25835, 5976: 25836,  // + NN2000 height
        7416: 25832,  // ETRS89 / UTM zone 32N + DVR90 height
        7417: 25833,  // ETRS89 / UTM zone 33N + DVR90 height
        5698: 2154,   // RGF93 v1 / Lambert-93 + NGF-IGN69 height
        5699: 2154,   // RGF93 v1 / Lambert-93 + NGF-IGN78 height
        7405: 27700,  // OSGB36 / British National Grid + ODN height
        3903: 5048,   // ETRS89 / TM35FIN(N,E) + N2000 height
        9897: 2169,   // LUREF / Luxembourg TM + NG95 height
        9518: 4326,   // WGS 84 + EGM2008 height
        4979: 4326,   // WGS 84 (geographic 3D)
        4937: 4258,   // ETRS89 (geographic 3D)
    ]

    /// The EPSG code written in a reference-system string, as written (compound codes stay compound).
    ///
    /// Understands `urn:ogc:def:crs:EPSG::7415`, `urn:ogc:def:crs:EPSG:6.6:7415`,
    /// `http(s)://www.opengis.net/def/crs/EPSG/0/7415`, `EPSG:7415`, and OGC
    /// `…/def/crs-compound?1=<horizontal URL>&2=<vertical URL>` (the first component is returned).
    /// Returns nil for anything else (non-EPSG authorities, no code).
    public static func epsgCode(in referenceSystem: String) -> Int? {
        let s = referenceSystem.trimmingCharacters(in: .whitespacesAndNewlines)
        if let range = s.range(of: "crs-compound?", options: .caseInsensitive) {
            let query = s[range.upperBound...]
            for item in query.split(separator: "&") {
                let parts = item.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == "1" {
                    let component = String(parts[1]).removingPercentEncoding ?? String(parts[1])
                    return epsgCode(in: component)
                }
            }
            return nil
        }
        guard s.range(of: "EPSG", options: .caseInsensitive) != nil else { return nil }
        var body = Substring(s)
        while let last = body.last, last == "/" { body = body.dropLast() }
        let digits = body.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        return Int(String(digits.reversed()))
    }

    /// The horizontal (2D) EPSG code for a reference-system string: compound and 3D codes are
    /// reduced with `compoundToHorizontal`; other codes are returned unchanged.
    public static func horizontalEPSG(for referenceSystem: String) -> Int? {
        guard let code = epsgCode(in: referenceSystem) else { return nil }
        return compoundToHorizontal[code] ?? code
    }
}
