import ArgumentParser
import Foundation
import TerreinCityJSON
import TerreinGeometry

extension Terrein {
    struct SynthReal: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synth-real",
            abstract: "Benchmark data from real LoD2 roof faces: tiled, terreinen across buildings, a BGT-shaped land cover.",
            discussion: """
            The roof faces of every *.city.json in --lod2 (as `roofs-from-cityjson` derives them)
            are tiled over a grid of tiles (the models alternating, each tile's buildings with
            their own ids), four terreinen per tile with slanted edges that cut across
            buildings, and a land cover that is a planar partition of each tile, as the BGT
            is: one `pand` per building (the union of its faces; where buildings overlap, the
            first one keeps the overlap) and the rest split by a 40 m grid into parcels of
            `wegdeel`, `begroeidterreindeel`, `waterdeel` and `onbegroeidterreindeel`, drawn
            by the seed. All coordinates on a 1 mm grid, RD New. Same inputs and seed, same bytes.
            Scales: real = 20 × 17 tiles (about 1,000,000 faces from the two models in
            ../shared/data/real-lod2), real-s = 17 × 2 tiles (exactly 1/10 of real).
            """)

        @Option(help: "Folder with the CityJSON LoD2 models (*.city.json).")
        var lod2: String

        @Option(help: "real or real-s.")
        var scale: String = "real"

        @Option(help: "Random seed.")
        var seed: UInt64 = 42

        @Option(help: "Output folder.")
        var out: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let tiles: (columns: Int, rows: Int)
                switch scale.lowercased() {
                case "real": tiles = (20, 17)
                case "real-s": tiles = (17, 2)
                default: throw ValidationError("--scale must be real or real-s")
                }
                let dir = URL(fileURLWithPath: lod2)
                let models = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                    .filter { $0.hasSuffix(".city.json") }.sorted()
                guard !models.isEmpty else { throw ValidationError("no *.city.json in \(lod2)") }
                let start = Date()
                let gen = try RealScaleGenerator(models: models.map { dir.appendingPathComponent($0) }, seed: seed)
                let summary = try gen.write(to: URL(fileURLWithPath: out), columns: tiles.columns, rows: tiles.rows,
                                            scale: scale.lowercased())
                print(summary + String(format: "  in %.1f s", Date().timeIntervalSince(start)))
            }
        }
    }
}

/// The real-roof benchmark scale (`terrein synth-real`): see the command's discussion.
struct RealScaleGenerator {
    /// One model's faces and land cover in its own coordinates, all on the 1 mm grid.
    struct Model {
        var name: String
        var faces: [TerreinCityJSON.RoofFace]
        var originX: Double
        var originY: Double
        /// (BGT type, polygons as rings of interleaved x, y).
        var landcover: [(type: String, polygons: [[[Double]]])]
    }

    static let cell = 40.0
    let models: [Model]
    let seed: UInt64
    let tileWidth: Double
    let tileHeight: Double

    init(models urls: [URL], seed: UInt64) throws {
        self.seed = seed
        var extracted: [(String, [TerreinCityJSON.RoofFace], (Double, Double, Double, Double))] = []
        for url in urls {
            let faces = try CityJSONRoofExtractor.extract(contentsOf: url).faces
            var b = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
            for f in faces { for p in f.rings[0] { b = (min(b.0, p.x), min(b.1, p.y), max(b.2, p.x), max(b.3, p.y)) } }
            extracted.append((url.lastPathComponent, faces, b))
        }
        tileWidth = (extracted.map { $0.2.2 - $0.2.0 }.max() ?? 0).rounded(.up) + 20
        tileHeight = (extracted.map { $0.2.3 - $0.2.1 }.max() ?? 0).rounded(.up) + 20
        var models: [Model] = []
        for (k, (name, faces, b)) in extracted.enumerated() {
            let ox = b.0.rounded(.down) - 10, oy = b.1.rounded(.down) - 10
            let lc = try Self.partition(faces: faces, originX: ox, originY: oy, width: tileWidth, height: tileHeight,
                                        seed: seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
            models.append(Model(name: name, faces: faces, originX: ox, originY: oy, landcover: lc))
        }
        self.models = models
    }

    static func polygon(_ rings: [[SIMD2<Double>]]) throws -> Geometry? {
        var flat: [[Double]] = []
        for ring in rings {
            var r = ring
            if let f = r.first, f != r.last { r.append(f) }
            if r.count < 4 { continue }
            flat.append(r.flatMap { [$0.x, $0.y] })
        }
        guard !flat.isEmpty else { return nil }
        let g = try Geometry.polygon(rings: flat)
        return try g.isValid ? g : try g.makeValid().polygonalPart()
    }

    /// The planar partition of one tile: building footprints and 40 m grid lines noded
    /// together with 1 mm snap rounding, polygonized, each face given to the first building
    /// whose footprint holds its interior point, or else to its grid cell's parcel class;
    /// each building's faces merged into one `pand` by a coverage union.
    static func partition(faces: [TerreinCityJSON.RoofFace], originX ox: Double, originY oy: Double,
                          width: Double, height: Double, seed: UInt64) throws -> [(type: String, polygons: [[[Double]]])] {
        var order: [String] = []
        var byBuilding: [String: [Geometry]] = [:]
        for f in faces {
            guard let g = try polygon(f.rings) else { continue }
            if byBuilding[f.buildingId] == nil { order.append(f.buildingId) }
            byBuilding[f.buildingId, default: []].append(g)
        }
        let footprints = try order.compactMap { try Geometry.unionAll(byBuilding[$0]!) }
        var lines: [Geometry] = try footprints.map { try $0.boundary() }
        let x1 = ox + width, y1 = oy + height
        var x = ox
        while x <= x1 + 1e-9 { lines.append(try Geometry.fromWKT("LINESTRING(\(x) \(oy), \(x) \(y1))")); x += cell }
        if x - cell < x1 { lines.append(try Geometry.fromWKT("LINESTRING(\(x1) \(oy), \(x1) \(y1))")) }
        var y = oy
        while y <= y1 + 1e-9 { lines.append(try Geometry.fromWKT("LINESTRING(\(ox) \(y), \(x1) \(y))")); y += cell }
        if y - cell < y1 { lines.append(try Geometry.fromWKT("LINESTRING(\(ox) \(y1), \(x1) \(y1))")) }
        let noded = try Geometry.collection(lines).unaryUnion(gridSize: 0.001)
        let faces = try Geometry.polygonize(noded)
        let index = try SpatialIndex(footprints)
        var prepared: [Int: PreparedGeometry] = [:]
        var pandFaces: [[Geometry]] = Array(repeating: [], count: footprints.count)
        var parcels: [(String, Geometry)] = []
        let tile = try PreparedGeometry(try Geometry.polygon(rings: [[ox, oy, x1, oy, x1, y1, ox, y1, ox, oy]]))
        for i in 0..<(try faces.numGeometries) {
            let face = try faces.geometry(at: i)
            let p = try face.pointOnSurface()
            guard let pb = p.bounds, try tile.containsProperly(p) else { continue }
            var owner: Int?
            for b in index.query(p) {
                let prep = try prepared[b] ?? PreparedGeometry(footprints[b])
                prepared[b] = prep
                if try prep.containsProperly(p) { owner = b; break }
            }
            if let owner { pandFaces[owner].append(face); continue }
            let cx = Int(((pb.minX - ox) / cell).rounded(.down)), cy = Int(((pb.minY - oy) / cell).rounded(.down))
            var r = SplitMix(seed: seed ^ (UInt64(cx) &* 0x1_0000_01B3) ^ (UInt64(cy) &* 0xC2B2_AE3D_27D4_EB4F))
            let u = r.unit()
            parcels.append((u < 0.40 ? "wegdeel" : u < 0.75 ? "begroeidterreindeel" : u < 0.85 ? "waterdeel" : "onbegroeidterreindeel", face))
        }
        var out: [(type: String, polygons: [[[Double]]])] = []
        for group in pandFaces where !group.isEmpty {
            let total = try group.reduce(0) { $0 + (try $1.area()) }
            if let u = try Geometry.coverageUnion(group, totalArea: total) {
                out.append(("pand", try u.polygonRings()))
            } else {
                for g in group { out.append(("pand", try g.polygonRings())) }
            }
        }
        for (t, g) in parcels { out.append((t, try g.polygonRings())) }
        return out
    }

    /// Writes terreinen.geojson, roofs.geojsonl, landcover.geojsonl and pipeline.yml.
    func write(to dir: URL, columns: Int, rows: Int, scale: String) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let roofs = try LineFile(dir.appendingPathComponent("roofs.geojsonl"))
        let landcover = try LineFile(dir.appendingPathComponent("landcover.geojsonl"))
        let terreinen = try LineFile(dir.appendingPathComponent("terreinen.geojson"))
        terreinen.text("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:28992\"}},\"features\":[\n")
        var faceCount = 0, lcCount = 0, terreinCount = 0
        let x0 = 120_000.0, y0 = 440_000.0
        for row in 0..<rows {
            for col in 0..<columns {
                let m = models[(col + row) % models.count]
                let dx = x0 + Double(col) * tileWidth - m.originX, dy = y0 + Double(row) * tileHeight - m.originY
                let suffix = "-\(col)-\(row)"
                for f in m.faces {
                    roofs.text("{\"type\":\"Feature\",\"properties\":{\"slope_deg\":\(f.slopeDeg),\"azimuth_deg\":")
                    roofs.text(f.azimuthDeg.map { "\($0)" } ?? "null")
                    roofs.text(",\"building_id\":")
                    roofs.json(f.buildingId + suffix)
                    roofs.text("},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[")
                    for (k, ring) in f.rings.enumerated() {
                        var r = ring
                        if let first = r.first, first != r.last { r.append(first) }
                        roofs.text(k == 0 ? "[" : ",[")
                        for (i, p) in r.enumerated() { roofs.point(p.x + dx, p.y + dy, first: i == 0) }
                        roofs.text("]")
                    }
                    roofs.text("]}}\n")
                    faceCount += 1
                }
                for (type, polygons) in m.landcover {
                    landcover.text("{\"type\":\"Feature\",\"properties\":{\"bgt_type\":\"\(type)\"},\"geometry\":")
                    landcover.text(polygons.count == 1 ? "{\"type\":\"Polygon\",\"coordinates\":" : "{\"type\":\"MultiPolygon\",\"coordinates\":[")
                    for (q, poly) in polygons.enumerated() {
                        landcover.text(q == 0 ? "[" : ",[")
                        for (k, ring) in poly.enumerated() {
                            landcover.text(k == 0 ? "[" : ",[")
                            for i in stride(from: 0, to: ring.count, by: 2) { landcover.point(ring[i] + dx, ring[i + 1] + dy, first: i == 0) }
                            landcover.text("]")
                        }
                        landcover.text("]")
                    }
                    landcover.text(polygons.count == 1 ? "}}\n" : "]}}\n")
                    lcCount += 1
                }
                // Four terreinen per tile: cut at seeded lines, inset and slanted, so that
                // their edges cross buildings and some buildings lie in none.
                var r = SplitMix(seed: seed ^ (UInt64(col) << 32 | UInt64(row)) &* 0xD6E8_FEB8_6659_FD93)
                let tx = x0 + Double(col) * tileWidth, ty = y0 + Double(row) * tileHeight
                let cx = tileWidth * (0.3 + 0.4 * r.unit()), cy = tileHeight * (0.3 + 0.4 * r.unit())
                let cells = [(0.0, 0.0, cx, cy), (cx, 0.0, tileWidth, cy), (0.0, cy, cx, tileHeight), (cx, cy, tileWidth, tileHeight)]
                for (k, c) in cells.enumerated() {
                    func inset() -> Double { 5 + 25 * r.unit() }
                    let corners = [(c.0 + inset(), c.1 + inset()), (c.2 - inset(), c.1 + inset()),
                                   (c.2 - inset(), c.3 - inset()), (c.0 + inset(), c.3 - inset())]
                    terreinen.text(terreinCount == 0 ? "" : ",\n")
                    terreinen.text("{\"type\":\"Feature\",\"properties\":{\"id\":\"RT\(suffix)-\(k)\",\"name\":\"Real \(m.name.split(separator: ".")[0]) \(col)/\(row) \(k)\",\"region\":\"regio-\(row)\"},")
                    terreinen.text("\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[")
                    for (i, p) in (corners + [corners[0]]).enumerated() { terreinen.point(tx + p.0, ty + p.1, first: i == 0) }
                    terreinen.text("]]}}")
                    terreinCount += 1
                }
            }
        }
        terreinen.text("\n]}\n")
        for f in [roofs, landcover, terreinen] { try f.close() }
        let yaml = """
        # Real-roof benchmark data, scale \(scale), seed \(seed): made by
        # `terrein synth-real --lod2 DIR --scale \(scale) --seed \(seed)` from \(models.map(\.name).joined(separator: ", ")).
        # \(columns) x \(rows) tiles of \(Int(tileWidth)) x \(Int(tileHeight)) m; RD New (EPSG:28992). Paths relative to this file.
        name: synth-\(scale)
        work_crs: EPSG:28992

        layers:
          terreinen:
            path: terreinen.geojson          # FeatureCollection, legacy "crs" member
            fields: {id: id, name: name, region: region}
          roofs:
            path: roofs.geojsonl             # GeoJSONSeq: one real roof face per line
            crs: EPSG:28992
          landcover:
            path: landcover.geojsonl         # GeoJSONSeq: a planar partition, as the BGT
            crs: EPSG:28992
            fields: {class: bgt_type}
            classes:
              sealed: [pand, wegdeel]
              green: [begroeidterreindeel]
              water: [waterdeel]
              other: [onbegroeidterreindeel]

        outputs:
          directory: out
          formats: [csv]

        """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("pipeline.yml"))
        return "scale \(scale), seed \(seed), \(dir.path)\n  terreinen.geojson: \(terreinCount) features\n"
            + "  roofs.geojsonl: \(faceCount) features\n  landcover.geojsonl: \(lcCount) features\n  pipeline.yml\n"
    }
}

/// A SplitMix64 stream: the generator's only source of randomness.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A file written through a buffer, renamed into place on close.
final class LineFile {
    let url: URL
    let temp: URL
    let handle: FileHandle
    var buffer: [UInt8] = []

    init(_ url: URL) throws {
        self.url = url
        temp = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp")
        _ = FileManager.default.createFile(atPath: temp.path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: temp.path) else { throw ValidationError("cannot write \(temp.path)") }
        handle = h
        buffer.reserveCapacity(1 << 20)
    }

    func text(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func json(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { buffer.append(UInt8(ascii: "\\")) }
            if b < 0x20 { buffer.append(contentsOf: String(format: "\\u%04x", b).utf8) } else { buffer.append(b) }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// `[x,y]` with exactly three decimals (the 1 mm grid).
    func point(_ x: Double, _ y: Double, first: Bool) {
        if !first { buffer.append(UInt8(ascii: ",")) }
        buffer.append(UInt8(ascii: "["))
        fixed3(x)
        buffer.append(UInt8(ascii: ","))
        fixed3(y)
        buffer.append(UInt8(ascii: "]"))
    }

    private func fixed3(_ v: Double) {
        var m = Int64((v * 1000).rounded())
        if m < 0 { buffer.append(UInt8(ascii: "-")); m = -m }
        buffer.append(contentsOf: String(m / 1000).utf8)
        buffer.append(UInt8(ascii: "."))
        let f = Int(m % 1000)
        buffer.append(UInt8(ascii: "0") + UInt8(f / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(f / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(f % 10))
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        try handle.synchronize()
        try handle.close()
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temp, to: url)
    }
}
