import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads CityJSON 1.0 / 1.1 / 2.0 files and returns the faces labelled `RoofSurface` of their
/// Building and BuildingPart objects, projected to 2D with the slope and azimuth of their plane.
///
/// Per CityObject the geometry with semantics and the highest LoD is used (2.2 > 2 > 1.3 ...);
/// geometry types MultiSurface, CompositeSurface, Solid, MultiSolid and CompositeSolid are read,
/// GeometryInstance (templates) is skipped. BuildingInstallation and all other object types are ignored.
public enum CityJSONRoofExtractor {
    /// CityJSON versions understood (major.minor; a patch part such as "1.0.3" is accepted).
    public static let supportedVersions: [String] = ["1.0", "1.1", "2.0"]

    /// Reads a CityJSON file from disk. The error's `sourceName` is the file name.
    public static func extract(contentsOf url: URL, options: CityJSONRoofOptions = .init()) throws -> CityJSONRoofs {
        let name = url.lastPathComponent
        // Only regular files: reading a FIFO or a device would block or never end. `stat`
        // follows symbolic links and does not open the file.
        var st = stat()
        if stat(url.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            let kind: String
            switch st.st_mode & S_IFMT {
            case S_IFDIR: kind = "a directory"
            case S_IFIFO: kind = "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: kind = "a device"
            default: kind = "not a regular file"
            }
            throw CityJSONError(.unreadable, sourceName: name, message: "cannot read \(url.path): this is \(kind), not a CityJSON file"
                                + " (give the path of a .city.json file on disk; save a stream to a file first)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let ns = error as NSError
            // The POSIX reason ("No such file or directory"), not Foundation's generic text.
            let reason = (ns.userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }.flatMap {
                $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil
            } ?? error.localizedDescription
            throw CityJSONError(.unreadable, sourceName: name, message: "cannot read \(url.path): \(reason)"
                                + " (check the path and that the file is readable)")
        }
        return try extract(from: data, sourceName: name, options: options)
    }

    /// Extracts the roof faces of one CityJSON document.
    /// - Parameters:
    ///   - data: the bytes of the file.
    ///   - sourceName: a name for the input (usually the file name), used in errors and in the result.
    /// - Throws: `CityJSONError`.
    public static func extract(from data: Data, sourceName: String, options: CityJSONRoofOptions = .init()) throws -> CityJSONRoofs {
        var reader = Reader(sourceName: sourceName, options: options)
        return try reader.run(data)
    }
}

// MARK: - Reader

private struct Reader {
    let sourceName: String
    let options: CityJSONRoofOptions
    var vertices: [SIMD3<Double>] = []
    var dropped = DroppedRoofFaces()
    var warnings: [String] = []
    var suppressedWarnings = 0

    static let maxWarnings = 50
    static let surfaceDepth: [String: Int] = [
        "MultiSurface": 0, "CompositeSurface": 0, "Solid": 1, "MultiSolid": 2, "CompositeSolid": 2,
    ]

    init(sourceName: String, options: CityJSONRoofOptions) {
        self.sourceName = sourceName
        self.options = options
    }

    func fail(_ kind: CityJSONError.Kind, _ message: String) -> CityJSONError {
        CityJSONError(kind, sourceName: sourceName, message: message)
    }

    mutating func warn(_ message: String) {
        if warnings.count < Reader.maxWarnings { warnings.append(message) } else { suppressedWarnings += 1 }
    }

    mutating func run(_ data: Data) throws -> CityJSONRoofs {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw fail(.notJSON, "not valid JSON (\(detail))")
        }
        guard let root = json as? [String: Any] else {
            throw fail(.notCityJSON, "not a CityJSON file: the top level is not a JSON object")
        }
        let type = root["type"] as? String
        if type == "CityJSONFeature" {
            throw fail(.notCityJSON, "a CityJSONFeature (one line of a CityJSON Text Sequence), not a CityJSON file; not supported")
        }
        guard type == "CityJSON" else {
            throw fail(.notCityJSON, "not a CityJSON file: \"type\" is \(type.map { "\"\($0)\"" } ?? "missing"), expected \"CityJSON\"")
        }
        guard let version = root["version"] as? String else {
            throw fail(.unsupportedVersion, "CityJSON \"version\" is missing or not a string")
        }
        let majorMinor = version.split(separator: ".").prefix(2).joined(separator: ".")
        guard CityJSONRoofExtractor.supportedVersions.contains(majorMinor) else {
            throw fail(.unsupportedVersion, "CityJSON version \"\(version)\" is not supported (supported: \(CityJSONRoofExtractor.supportedVersions.joined(separator: ", ")))")
        }

        let referenceSystem = (root["metadata"] as? [String: Any])?["referenceSystem"] as? String
        let epsg = referenceSystem.flatMap(CityJSONReferenceSystem.horizontalEPSG(for:))
        if let rs = referenceSystem, epsg == nil {
            warn("referenceSystem \"\(rs)\" has no EPSG code that could be read; output CRS unknown")
        }

        try readVertices(root)

        guard let objects = root["CityObjects"] as? [String: Any] else {
            throw fail(.malformed, "\"CityObjects\" is missing or not an object")
        }
        var types: [String: String] = [:]
        var parentOf: [String: String] = [:]
        var childParent: [String: String] = [:]
        for (id, value) in objects {
            guard let object = value as? [String: Any] else {
                throw fail(.malformed, "CityObject \"\(id)\" is not a JSON object")
            }
            types[id] = object["type"] as? String ?? ""
            if let parents = object["parents"] as? [Any], let first = parents.first as? String {
                parentOf[id] = first
            }
            if let children = object["children"] as? [Any] {
                for case let child as String in children { childParent[child] = childParent[child] ?? id }
            }
        }
        for (child, parent) in childParent where parentOf[child] == nil { parentOf[child] = parent }

        var faces: [RoofFace] = []
        var buildingCount = 0, partCount = 0
        var templateGeometries = 0
        var withoutSemantics: [String] = []
        for id in objects.keys.sorted() {
            let type = types[id] ?? ""
            guard type == "Building" || type == "BuildingPart" else { continue }
            if type == "Building" { buildingCount += 1 } else { partCount += 1 }
            let object = objects[id] as! [String: Any]
            guard let geometries = object["geometry"] as? [Any], !geometries.isEmpty else { continue }

            // Pick the geometry with semantics and the highest LoD (first one on ties).
            var best: (geometry: [String: Any], rank: Double, lod: String)?
            for (gi, g) in geometries.enumerated() {
                guard let geometry = g as? [String: Any] else {
                    throw fail(.malformed, "geometry \(gi) of CityObject \"\(id)\" is not a JSON object")
                }
                let gtype = geometry["type"] as? String ?? ""
                if gtype == "GeometryInstance" { templateGeometries += 1; continue }
                guard Reader.surfaceDepth[gtype] != nil, geometry["semantics"] is [String: Any] else { continue }
                guard let (rank, lod) = Reader.lod(geometry["lod"]) else {
                    throw fail(.malformed, "geometry \(gi) of CityObject \"\(id)\": \"lod\" \(geometry["lod"].map { "\($0)" } ?? "")"
                               + " is not a level of detail (CityJSON has 0 to 3, e.g. 2 or \"2.2\"); fix the file or export it again")
                }
                if best == nil || rank > best!.rank { best = (geometry, rank, lod) }
            }
            guard let chosen = best else {
                if geometries.contains(where: { ($0 as? [String: Any])?["type"] as? String != "GeometryInstance" }) {
                    withoutSemantics.append(id)
                }
                continue
            }
            let buildingId = Reader.buildingId(of: id, types: types, parentOf: parentOf)
            if type == "BuildingPart", buildingId == id {
                warn("BuildingPart \"\(id)\" has no parent Building; its own id is used as building_id")
            }
            try collectRoofFaces(chosen.geometry, objectId: id, buildingId: buildingId, lod: chosen.lod, into: &faces)
        }
        if templateGeometries > 0 {
            warn("\(templateGeometries) GeometryInstance (template) geometries skipped: templates are not supported")
        }
        if !withoutSemantics.isEmpty {
            let examples = withoutSemantics.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            warn("\(withoutSemantics.count) Building/BuildingPart objects have geometry but no semantic surfaces, so no roofs (e.g. \(examples))")
        }
        if suppressedWarnings > 0 { warnings.append("\(suppressedWarnings) more warnings not shown") }

        return CityJSONRoofs(sourceName: sourceName, version: version, referenceSystem: referenceSystem, epsg: epsg,
                             faces: faces, dropped: dropped, buildingCount: buildingCount,
                             buildingPartCount: partCount, warnings: warnings)
    }

    // MARK: Vertices

    mutating func readVertices(_ root: [String: Any]) throws {
        guard let raw = root["vertices"] as? [Any] else {
            throw fail(.malformed, "\"vertices\" is missing or not an array")
        }
        var scale = SIMD3<Double>(1, 1, 1)
        var translate = SIMD3<Double>(0, 0, 0)
        if let transform = root["transform"] {
            guard let t = transform as? [String: Any],
                  let s = Reader.triple(t["scale"]), let tr = Reader.triple(t["translate"]) else {
                throw fail(.malformed, "\"transform\" must have \"scale\" and \"translate\", each of 3 numbers")
            }
            scale = s
            translate = tr
        }
        vertices.reserveCapacity(raw.count)
        for (i, v) in raw.enumerated() {
            guard let p = Reader.triple(v) else {
                throw fail(.malformed, "vertex \(i) is not an array of 3 numbers")
            }
            vertices.append(p * scale + translate)
        }
    }

    static let boolClass: AnyClass = type(of: NSNumber(value: true))

    static func number(_ any: Any?) -> Double? {
        guard let n = any as? NSNumber, type(of: n) != boolClass else { return nil }
        let d = n.doubleValue
        return d.isFinite ? d : nil
    }

    static func integer(_ any: Any?) -> Int? {
        guard let d = number(any), d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    static func triple(_ any: Any?) -> SIMD3<Double>? {
        guard let a = any as? [Any], a.count >= 3,
              let x = number(a[0]), let y = number(a[1]), let z = number(a[2]) else { return nil }
        return SIMD3(x, y, z)
    }

    // MARK: Objects and geometries

    /// LoD as a rank for choosing ("2.2" -> 2.2, 2 -> 2.0) and as text for the output.
    /// Nil for a number that is no level of detail: CityJSON has LoD 0 to 3 (with
    /// sub-levels such as 2.2); `1e300` used to trap converting to Int.
    static func lod(_ any: Any?) -> (Double, String)? {
        if let s = any as? String { return (Double(s) ?? -1, s) }
        if let d = number(any) {
            guard d >= 0 && d < 4 else { return nil }
            let text = d == d.rounded() ? String(Int(d)) : String(d)
            return (d, text)
        }
        return (-1, "")
    }

    /// Walks up `parents` (or the parents' `children` lists) until a Building is found. When the
    /// chain leaves the file (a parent id not present), the last id reached is used.
    static func buildingId(of id: String, types: [String: String], parentOf: [String: String]) -> String {
        var current = id
        var seen: Set<String> = [id]
        while types[current] != "Building", let parent = parentOf[current], !seen.contains(parent) {
            seen.insert(parent)
            current = parent
        }
        return current
    }

    mutating func collectRoofFaces(_ geometry: [String: Any], objectId: String, buildingId: String, lod: String,
                                   into faces: inout [RoofFace]) throws {
        let gtype = geometry["type"] as? String ?? ""
        guard let depth = Reader.surfaceDepth[gtype] else { return }
        guard let semantics = geometry["semantics"] as? [String: Any] else { return }
        guard let surfaces = semantics["surfaces"] as? [Any] else {
            throw fail(.malformed, "semantics of \(gtype) geometry of CityObject \"\(objectId)\" has no \"surfaces\" array")
        }
        let isRoof: [Bool] = surfaces.map { (($0 as? [String: Any])?["type"] as? String) == "RoofSurface" }
        guard isRoof.contains(true) else { return }
        guard let boundaries = geometry["boundaries"] else {
            throw fail(.malformed, "\(gtype) geometry of CityObject \"\(objectId)\" has no \"boundaries\"")
        }
        var shortValues = false
        var labelled: [(surface: Any, semantic: Int?)] = []
        try walk(boundaries, values: semantics["values"], depth: depth, objectId: objectId, gtype: gtype,
                 shortValues: &shortValues, into: &labelled)
        for (surface, semanticIndex) in labelled {
            guard let s = semanticIndex else { continue }
            guard s >= 0, s < surfaces.count else {
                throw fail(.semanticIndexOutOfRange, "semantics value \(s) out of range (\(surfaces.count) semantic surfaces) in CityObject \"\(objectId)\"")
            }
            guard isRoof[s] else { continue }
            if let face = try makeFace(surface, objectId: objectId, buildingId: buildingId, lod: lod) {
                faces.append(face)
            }
        }
        if shortValues {
            warn("semantics \"values\" of CityObject \"\(objectId)\" do not cover all surfaces; the rest are taken as unlabelled")
        }
    }

    /// Walks the boundary nesting and the semantics values in step, appending each surface in
    /// geometry order with its semantic-surface index (nil when unlabelled).
    func walk(_ boundaries: Any, values: Any?, depth: Int, objectId: String, gtype: String,
              shortValues: inout Bool, into out: inout [(surface: Any, semantic: Int?)]) throws {
        guard let items = boundaries as? [Any] else {
            throw fail(.malformed, "\(gtype) boundaries of CityObject \"\(objectId)\" are not nested arrays as the geometry type requires")
        }
        let vals = values as? [Any]  // nil when absent or JSON null: nothing below is labelled
        if let v = vals, v.count < items.count { shortValues = true }
        for (i, item) in items.enumerated() {
            let value: Any? = vals.flatMap { i < $0.count ? $0[i] : nil }
            if depth == 0 {
                var index: Int? = nil
                if let value, !(value is NSNull) {
                    guard let k = Reader.integer(value) else {
                        throw fail(.malformed, "semantics value of \(gtype) geometry in CityObject \"\(objectId)\" is not an integer or null (nesting does not follow the boundaries?)")
                    }
                    index = k
                }
                out.append((item, index))
            } else {
                try walk(item, values: value, depth: depth - 1, objectId: objectId, gtype: gtype,
                         shortValues: &shortValues, into: &out)
            }
        }
    }

    // MARK: Faces

    func ring3D(_ any: Any, objectId: String) throws -> [SIMD3<Double>] {
        guard let indices = any as? [Any] else {
            throw fail(.malformed, "a ring of CityObject \"\(objectId)\" is not an array of vertex indices")
        }
        var ring: [SIMD3<Double>] = []
        ring.reserveCapacity(indices.count)
        for raw in indices {
            guard let i = Reader.integer(raw) else {
                throw fail(.malformed, "a ring of CityObject \"\(objectId)\" holds a non-integer vertex index (nesting does not follow the geometry type?)")
            }
            guard i >= 0, i < vertices.count else {
                throw fail(.vertexIndexOutOfRange, "vertex index \(i) out of range (file has \(vertices.count) vertices) in CityObject \"\(objectId)\"")
            }
            ring.append(vertices[i])
        }
        return ring
    }

    /// x, y of a ring without repeated consecutive points (nor a closing repeat of the first).
    static func ring2D(_ ring: [SIMD3<Double>]) -> [SIMD2<Double>] {
        var out: [SIMD2<Double>] = []
        out.reserveCapacity(ring.count + 1)
        for p in ring {
            let q = SIMD2(p.x, p.y)
            if out.last != q { out.append(q) }
        }
        while out.count > 1, out.last == out.first { out.removeLast() }
        return out
    }

    mutating func makeFace(_ surface: Any, objectId: String, buildingId: String, lod: String) throws -> RoofFace? {
        guard let ringsRaw = surface as? [Any] else {
            throw fail(.malformed, "a surface of CityObject \"\(objectId)\" is not an array of rings")
        }
        let rings = try ringsRaw.map { try ring3D($0, objectId: objectId) }
        guard let outer = rings.first, Set(outer).count >= 3 else {
            dropped.tooFewVertices += 1
            return nil
        }
        var n = PlaneGeometry.newellNormal(outer)
        let length = (n * n).sum().squareRoot()
        guard length > 0, length.isFinite else {
            dropped.zeroNormal += 1
            return nil
        }
        if n.z < 0 { n = -n }
        let unit = n / length
        let slope = acos(min(1, max(-1, unit.z))) * 180 / .pi
        if slope >= options.maxSlopeDeg {
            dropped.nearVertical += 1
            return nil
        }
        var outer2D = Reader.ring2D(outer)
        guard outer2D.count >= 3 else {
            dropped.tooFewVertices += 1
            return nil
        }
        let area = PlaneGeometry.signedArea(outer2D)
        guard abs(area) >= options.minArea else {
            dropped.tinyArea += 1
            return nil
        }
        if area < 0 { outer2D.reverse() }
        outer2D.append(outer2D[0])
        var rings2D = [outer2D]
        for inner in rings.dropFirst() {
            var hole = Reader.ring2D(inner)
            let holeArea = PlaneGeometry.signedArea(hole)
            guard hole.count >= 3, abs(holeArea) >= options.minArea else {
                dropped.holes += 1
                continue
            }
            if holeArea > 0 { hole.reverse() }
            hole.append(hole[0])
            rings2D.append(hole)
        }
        var azimuth: Double? = nil
        if slope > options.flatSlopeDeg {
            var a = atan2(unit.x, unit.y) * 180 / .pi
            if a < 0 { a += 360 }
            if a >= 360 { a -= 360 }
            azimuth = a + 0.0  // no negative zero
        }
        return RoofFace(rings: rings2D, slopeDeg: slope, azimuthDeg: azimuth, normal: unit,
                        buildingId: buildingId, objectId: objectId, lod: lod)
    }
}
