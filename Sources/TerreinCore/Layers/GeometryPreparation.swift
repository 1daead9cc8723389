import Foundation
import TerreinGeometry
import TerreinIO

/// Geometry preparation (docs/indicators.md, "Geometry preparation"), as pure steps with
/// no knowledge of files, layers or `--strict`: each returns the prepared geometry with its
/// repair notes, or why the feature is skipped. The layer loader counts and enforces;
/// `terrein inspect` runs the same steps to say what a run would repair or skip.
public enum GeometryPreparation {
    /// The result of one step.
    public enum Outcome {
        /// Used, after the named repairs (none: as written).
        case used(Geometry, repairs: [String])
        /// Skipped, with the reason; repairs made before are void (a feature has one outcome).
        case skipped(String)
    }

    /// What the messages name: the layer's CRS and where it came from, the work CRS, and
    /// the pipeline key to fix (e.g. "layers.roofs").
    public struct Wording {
        public var sourceCRS, crsOrigin, workCRS, layerKey: String
        /// What a coordinate that cannot be transformed is (the transformer's words, e.g. a
        /// vertex outside the RDNAPTRANS2018 grid); nil: "cannot be transformed".
        public var transformProblem: String?
        public init(sourceCRS: String, crsOrigin: String, workCRS: String, layerKey: String, transformProblem: String? = nil) {
            self.sourceCRS = sourceCRS
            self.crsOrigin = crsOrigin
            self.workCRS = workCRS
            self.layerKey = layerKey
            self.transformProblem = transformProblem
        }
    }

    /// A coordinate that cannot be right: the feature is an error, not a skip.
    public struct CoordinateProblem: Error {
        public var problem: String
        public var hint: String
    }

    /// From raw polygonal coordinates (a source's own reader) to a GEOS geometry in the
    /// work CRS: polygonal members of collections kept, coordinates checked, rings closed,
    /// degenerate holes and shells dropped, then `transform` (reprojection, in place) applied
    /// ring by ring. `wording` only words the messages.
    ///
    /// Works on the reader's flat buffers: each polygon's kept rings are copied once into a
    /// temporary buffer (on the stack when small), closed, transformed and handed to GEOS
    /// from there, with no array per polygon or ring (docs/performance.md: the arrays per
    /// ring and polygon were 3-6 allocations per roof face; with the reader's own
    /// allocations cut too, `terrein inspect` of the M FeatureCollection went from
    /// 0.98-1.27 s to 0.74-0.80 s CPU).
    ///
    /// `onPolygon` sees each polygon exactly as it goes to GEOS (transformed coordinates and
    /// ring ends, in order): the geometry built is a function of that sequence alone, which is
    /// what the loader's feature digest (`BuiltDigest`) hashes.
    ///
    /// `makeGeometry: false` runs every step but GEOS's: the outcome is the same, with
    /// `Geometry.deferred` in place of the geometry (what `onPolygon` saw is what would be built).
    public static func build(_ raw: RawGeometry, geographic: Bool, wording: Wording,
                             transform: (UnsafeMutableBufferPointer<Double>) -> Bool,
                             onTransformTime: ((Double) -> Void)? = nil,
                             makeGeometry: Bool = true,
                             onPolygon: ((UnsafeBufferPointer<Double>, UnsafeBufferPointer<Int>) -> Void)? = nil) throws -> Outcome {
        var repairs: [String] = []
        func repaired(_ reason: String) { if !repairs.contains(reason) { repairs.append(reason) } }
        var polygonCount = 0
        var dropped = false
        func survey(_ g: RawGeometry) {
            switch g.type {
            case .polygon, .multiPolygon: polygonCount += g.partEnds.count
            case .geometryCollection: g.members.forEach(survey)
            default: dropped = true
            }
        }
        survey(raw)
        if polygonCount == 0 {
            return .skipped(raw.type == .geometryCollection ? "GeometryCollection without polygons"
                                                           : "\(raw.type.rawValue) in a polygon layer")
        }
        if raw.type == .geometryCollection && dropped {
            repaired("non-polygonal members of a GeometryCollection dropped")
        }
        var first: Geometry?
        var built: [Geometry] = []
        var polygonsBuilt = 0
        var degenerate = 0
        var p = 0  // the polygon's index over all polygonal parts, in file order

        /// One polygon: rings `ringRange` of `g`; a reason when it cannot be built (the
        /// feature is then skipped).
        func polygon(_ g: RawGeometry, _ xy: UnsafeBufferPointer<Double>, _ ringRange: Range<Int>) throws -> String? {
            defer { p += 1 }
            func ringStart(_ r: Int) -> Int { r == 0 ? 0 : g.lineEnds[r - 1] * 2 }
            func isOpen(_ s: Int, _ e: Int) -> Bool {
                e - s >= 2 && (xy[s] != xy[e - 2] || xy[s + 1] != xy[e - 1])
            }
            // Coordinates checked and rings closed, ring by ring.
            for r in ringRange {
                let s = ringStart(r), e = g.lineEnds[r] * 2
                var i = s
                while i < e {
                    let x = xy[i], y = xy[i + 1]
                    guard x.isFinite, y.isFinite, abs(x) < 1e9, abs(y) < 1e9 else {
                        throw CoordinateProblem(problem: "absurd coordinate (\(x), \(y))",
                                                hint: "coordinates must be finite and in the layer's CRS; fix or drop this feature in the source")
                    }
                    if geographic && (abs(x) > 180 || abs(y) > 90) {
                        let looksRD = x > -10_000 && x < 300_000 && y > 280_000 && y < 650_000
                        throw CoordinateProblem(
                            problem: "coordinate (\(x), \(y)) is not a longitude/latitude, but the layer's CRS is \(wording.sourceCRS) (\(wording.crsOrigin))",
                            hint: looksRD ? "these look like RD New metres: set `crs: EPSG:28992` for \(wording.layerKey) in the pipeline file"
                                          : "set `crs:` for \(wording.layerKey) to the file's real CRS in the pipeline file")
                    }
                    i += 2
                }
                if isOpen(s, e) { repaired("unclosed ring closed") }
            }
            func closedCount(_ r: Int) -> Int {
                let s = ringStart(r), e = g.lineEnds[r] * 2
                return e - s + (isOpen(s, e) ? 2 : 0)
            }
            // A polygon written with no rings at all ("coordinates": []) is as degenerate
            // as one whose shell is too short.
            if ringRange.isEmpty || closedCount(ringRange.lowerBound) < 8 {
                degenerate += 1
                return nil
            }
            var keptRings = 0, keptDoubles = 0
            for r in ringRange where r == ringRange.lowerBound || closedCount(r) >= 8 {
                keptRings += 1
                keptDoubles += closedCount(r)
            }
            if keptRings < ringRange.count { repaired("hole with fewer than 4 positions dropped") }
            return try withUnsafeTemporaryAllocation(of: Double.self, capacity: keptDoubles) { buffer in
                try withUnsafeTemporaryAllocation(of: Int.self, capacity: keptRings) { ends in
                    var n = 0, k = 0
                    for r in ringRange {
                        let s = ringStart(r), e = g.lineEnds[r] * 2
                        let open = isOpen(s, e)
                        guard r == ringRange.lowerBound || e - s + (open ? 2 : 0) >= 8 else { continue }
                        for i in s..<e { buffer[n] = xy[i]; n += 1 }
                        if open { buffer[n] = xy[s]; buffer[n + 1] = xy[s + 1]; n += 2 }
                        ends[k] = n
                        k += 1
                    }
                    let start = onTransformTime == nil ? 0 : threadCPUTime()
                    for k in 0..<keptRings {
                        let ring = UnsafeMutableBufferPointer(rebasing: buffer[(k == 0 ? 0 : ends[k - 1])..<ends[k]])
                        guard transform(ring) else {
                            let vertex = stride(from: 0, to: ring.count, by: 2).first {
                                !(ring[$0].isFinite && ring[$0 + 1].isFinite && abs(ring[$0]) < 1e15 && abs(ring[$0 + 1]) < 1e15)
                            }.map { $0 / 2 } ?? 0
                            let what = wording.transformProblem ?? "coordinates cannot be transformed from \(wording.sourceCRS) to \(wording.workCRS)"
                            throw CoordinateProblem(problem: "\(what): polygon \(p) ring \(k) vertex \(vertex)",
                                                    hint: wording.transformProblem == nil
                                                        ? "check that the layer's CRS is right (set `crs:` in the pipeline file)"
                                                        : "the grid covers the Netherlands and its surroundings: check that the layer's CRS (\(wording.sourceCRS), \(wording.crsOrigin)) is right (set `crs:` in the pipeline file) and that its axes are not swapped (lat, lon instead of lon, lat), or clip the layer to the Netherlands")
                        }
                    }
                    onTransformTime?(threadCPUTime() - start)
                    onPolygon?(UnsafeBufferPointer(buffer), UnsafeBufferPointer(ends))
                    polygonsBuilt += 1
                    guard makeGeometry else { return nil }
                    do {
                        let made = try Geometry.polygon(xy: UnsafeBufferPointer(buffer), ringEnds: UnsafeBufferPointer(ends))
                        if first == nil { first = made } else { built.append(made) }
                    } catch {
                        return "cannot build polygon: \(error)"
                    }
                    return nil
                }
            }
        }

        /// Every polygon of `g`, in order; a reason when one cannot be built.
        func visit(_ g: RawGeometry) throws -> String? {
            switch g.type {
            case .polygon, .multiPolygon:
                return try g.xy.withUnsafeBufferPointer { xy in
                    var ringStart = 0
                    for partEnd in g.partEnds {
                        if let reason = try polygon(g, xy, ringStart..<partEnd) { return reason }
                        ringStart = partEnd
                    }
                    return nil
                }
            case .geometryCollection:
                for m in g.members { if let reason = try visit(m) { return reason } }
                return nil
            default:
                return nil
            }
        }
        if let reason = try visit(raw) { return .skipped(reason) }
        guard polygonsBuilt > 0 else { return .skipped("no ring with at least 4 positions") }
        if degenerate > 0 { repaired("polygon with a degenerate shell dropped") }
        guard makeGeometry, let first else { return .used(Geometry.deferred, repairs: repairs) }
        let geometry = built.isEmpty ? first : try Geometry.collection([first] + built, type: .multiPolygon)
        return .used(geometry, repairs: repairs)
    }

    /// An invalid polygon is made valid (GEOS MakeValid, linework) and its polygonal part
    /// kept; when nothing with area is left, the skip carries GEOS's validity reason (the
    /// loader words it: for a terrein it is an error).
    public static func makeValid(_ geometry: Geometry, repairs: [String]) throws -> Outcome {
        if try geometry.isValid { return .used(geometry, repairs: repairs) }
        let reason = geometry.validityReason
        guard let fixed = try geometry.makeValid().polygonalPart(), try !fixed.isEmpty, try fixed.area() > 0 else {
            return .skipped(reason)
        }
        return .used(fixed, repairs: repairs + ["invalid polygon made valid (\(shortReason(reason)))"])
    }

    /// "Self-intersection[1 2]" → "Self-intersection".
    static func shortReason(_ r: String) -> String {
        String(r.prefix { $0 != "[" }).trimmingCharacters(in: .whitespaces)
    }
}
