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
    public static func build(_ raw: RawGeometry, geographic: Bool, wording: Wording,
                             transform: (inout [Double]) -> Bool, onTransformTime: ((Double) -> Void)? = nil) throws -> Outcome {
        var repairs: [String] = []
        func repaired(_ reason: String) { if !repairs.contains(reason) { repairs.append(reason) } }
        var polygons: [[[Double]]] = []
        var dropped: [String] = []
        func collect(_ g: RawGeometry) {
            switch g.type {
            case .polygon, .multiPolygon: polygons.append(contentsOf: g.polygons)
            case .geometryCollection: g.members.forEach(collect)
            default: dropped.append(g.type.rawValue)
            }
        }
        collect(raw)
        if polygons.isEmpty {
            return .skipped(raw.type == .geometryCollection ? "GeometryCollection without polygons"
                                                           : "\(raw.type.rawValue) in a polygon layer")
        }
        if raw.type == .geometryCollection && !dropped.isEmpty {
            repaired("non-polygonal members of a GeometryCollection dropped")
        }
        var built: [Geometry] = []
        var degenerate = 0
        for (p, polygon) in polygons.enumerated() {
            var rings = polygon
            for r in rings.indices {
                let ring = rings[r]
                for i in stride(from: 0, to: ring.count, by: 2) {
                    let x = ring[i], y = ring[i + 1]
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
                }
                if ring.count >= 2 && (ring[0] != ring[ring.count - 2] || ring[1] != ring[ring.count - 1]) {
                    rings[r].append(ring[0]); rings[r].append(ring[1])
                    repaired("unclosed ring closed")
                }
            }
            // A polygon written with no rings at all ("coordinates": []) is as degenerate
            // as one whose shell is too short.
            if rings.isEmpty || rings[0].count < 8 {
                degenerate += 1
                continue
            }
            let before = rings.count
            rings = [rings[0]] + rings.dropFirst().filter { $0.count >= 8 }
            if rings.count < before { repaired("hole with fewer than 4 positions dropped") }
            let start = onTransformTime == nil ? 0 : threadCPUTime()
            for r in rings.indices {
                guard transform(&rings[r]) else {
                    let vertex = stride(from: 0, to: rings[r].count, by: 2).first {
                        !(rings[r][$0].isFinite && rings[r][$0 + 1].isFinite && abs(rings[r][$0]) < 1e15 && abs(rings[r][$0 + 1]) < 1e15)
                    }.map { $0 / 2 } ?? 0
                    let what = wording.transformProblem ?? "coordinates cannot be transformed from \(wording.sourceCRS) to \(wording.workCRS)"
                    throw CoordinateProblem(problem: "\(what): polygon \(p) ring \(r) vertex \(vertex)",
                                            hint: wording.transformProblem == nil
                                                ? "check that the layer's CRS is right (set `crs:` in the pipeline file)"
                                                : "the grid covers the Netherlands and its surroundings: check that the layer's CRS (\(wording.sourceCRS), \(wording.crsOrigin)) is right (set `crs:` in the pipeline file) and that its axes are not swapped (lat, lon instead of lon, lat), or clip the layer to the Netherlands")
                }
            }
            onTransformTime?(threadCPUTime() - start)
            do {
                built.append(try Geometry.polygon(rings: rings))
            } catch {
                return .skipped("cannot build polygon: \(error)")
            }
        }
        if built.isEmpty { return .skipped("no ring with at least 4 positions") }
        if degenerate > 0 { repaired("polygon with a degenerate shell dropped") }
        let geometry = built.count == 1 ? built[0] : try Geometry.collection(built, type: .multiPolygon)
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
