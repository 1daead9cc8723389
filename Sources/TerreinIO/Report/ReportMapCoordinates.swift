import TerreinGeometry

/// Checks on the map geometry that `terrein report` reads back from a run's files. The
/// files may have been changed (or damaged) since the run: a NaN, an infinity or a huge
/// coordinate would trap converting to the SVG's integer coordinates.
extension ReportData {
    /// The largest absolute map coordinate, in metres: projected CRSs stay within about
    /// 2·10⁷ m; beyond 10⁹ m it is no place on Earth (and sizes could overflow an Int).
    static let maxMapCoordinate = 1e9

    /// The rings of one GeoPackage geometry blob, checked; `LoadError` naming `location`
    /// (file, table and row) when the blob is no geometry or a coordinate is out of range.
    static func mapRings(blob: [UInt8], location: @autoclosure () -> String) throws -> [[[Double]]] {
        let rings: [[[Double]]]
        do {
            guard let g = try GeoPackageBinary.decode(blob) else {
                throw LoadError(message: "\(location()) has no valid GeoPackage geometry")
            }
            rings = try g.polygonRings()
        } catch let e as GeometryError {
            throw LoadError(message: "\(location()) has no valid GeoPackage geometry (\(e))")
        }
        try checkMapCoordinates(rings, location: location())
        return rings
    }

    /// Throws `LoadError` when a coordinate is not finite or beyond `maxMapCoordinate`.
    static func checkMapCoordinates(_ polygons: [[[Double]]], location: @autoclosure () -> String) throws {
        for rings in polygons {
            for ring in rings {
                for v in ring where !(abs(v) <= maxMapCoordinate) {  // NaN fails the comparison too
                    throw LoadError(message: "\(location()): coordinate \(v) is not a place on the map "
                                    + "(not finite, or beyond ±\(Int(maxMapCoordinate)) m)")
                }
            }
        }
    }
}
