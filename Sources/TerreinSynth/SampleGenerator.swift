import Foundation

/// The small synthetic Katwijk sample behind `SampleGIS/` and `Pipelines/sample.yml`.
///
/// The layout (where each terrein lies, which are neighbours, which lie near a Natura 2000
/// site) is fixed; the seed varies the details (plots, buildings, slopes, patches). Every seed
/// gives the deliberate imperfections listed in `readme`.
public struct SampleGenerator {
    public let seed: UInt64

    public init(seed: UInt64 = 42) { self.seed = seed }

    /// File names, as `Pipelines/sample.yml` reads them.
    public static let files = (terreinen: "terreinen.geojson", roofs: "roofs.geojsonl",
                               natura2000: "natura2000.geojson", landcover: "landcover.geojson",
                               waterdeel: "bgt_waterdeel.geojson",
                               inundation: "inundation.geojson", heat: "heat.tif", inundationRaster: "inundation.tif")

    /// Layers also written in another format, so that one run of `Pipelines/sample.yml`
    /// reads a GeoPackage, a Shapefile, GML, GeoJSON, GeoJSONSeq and a GeoTIFF: (GeoJSON file,
    /// copy, GDAL driver, layer name). The land cover's water polygons are the second land
    /// cover source, as BGT GML (feature type waterdeel, one class for the whole source).
    public static let copies = [("terreinen.geojson", "terreinen.gpkg", "GPKG", "terreinen"),
                                ("natura2000.geojson", "natura2000.shp", "ESRI Shapefile", "natura2000"),
                                ("bgt_waterdeel.geojson", "bgt_waterdeel.gml", "GML", "waterdeel")]

    /// Target distances from a terrein to its nearest site (metres), on either side of the
    /// 500 m and 1000 m bands of the sample pipeline and far from both thresholds.
    public static let nearSiteDistance = 300.0
    public static let midSiteDistance = 800.0

    struct TerreinSpec {
        let id: String
        let naam: String
        let gemeente: String?
        let code: Int
        /// Each part: centre, compass direction of local x, half sizes, notch.
        let parts: [(cx: Double, cy: Double, theta: Double, a: Double, b: Double, notch: Bool)]
    }

    static let specs: [TerreinSpec] = [
        TerreinSpec(id: "KTW-01", naam: "'t Heen", gemeente: "Katwijk", code: 537,
                    parts: [(88_720, 471_250, 100, 170, 130, false)]),
        // KTW-02 Klei Oost and KTW-03 Klei West share an edge: built together below.
        TerreinSpec(id: "KTW-04", naam: "Zanderij", gemeente: "Katwijk", code: 537,
                    parts: [(90_650, 471_450, 80, 230, 160, true)]),
        TerreinSpec(id: "KTW-05", naam: "Hoorneslaan", gemeente: "Katwijk", code: 537,
                    parts: [(89_350, 472_250, 120, 140, 100, false)]),
        TerreinSpec(id: "KTW-06", naam: "Bedrijvenpark Rijnsburg", gemeente: "Katwijk", code: 537,
                    parts: [(91_350, 470_450, 88, 260, 190, true)]),
        TerreinSpec(id: "KTW-07", naam: "Sandtlaan", gemeente: "Katwijk", code: 537,
                    parts: [(91_650, 471_350, 95, 150, 110, false)]),
        TerreinSpec(id: "KTW-08", naam: "Valkenburg Werklandschap", gemeente: "Katwijk", code: 537,
                    parts: [(90_350, 472_650, 85, 180, 120, false), (90_720, 472_990, 85, 110, 80, false)]),
        TerreinSpec(id: "KTW-09", naam: "Noordwijk Bronsgeest", gemeente: "Noordwijk", code: 575,
                    parts: [(90_250, 473_650, 60, 200, 140, true)]),
        TerreinSpec(id: "KTW-10", naam: "Rhijngeest", gemeente: "Oegstgeest", code: 579,
                    parts: [(91_700, 472_500, 100, 160, 120, false)]),
        TerreinSpec(id: "KTW-11", naam: "Duinzicht", gemeente: nil, code: 537,
                    parts: [(88_950, 473_350, 75, 130, 90, false)]),
    ]

    static var style: ParkStyle {
        var s = ParkStyle()
        s.plotWidth = 40...85
        s.plotDepth = 35...70
        return s
    }

    /// One terrein of the sample: its feature, its layout parts and its contents.
    struct Built {
        let id: String
        let feature: SynthFeature
        let parts: [ParkPart]
        var batch: Batch
    }

    // MARK: - Generation

    func buildTerreinen() -> [Built] {
        var out: [Built] = []
        let style = Self.style
        func populate(_ parts: [ParkPart], index: Int, code: Int) -> Batch {
            var batch = Batch()
            var brng = SynthRandom(seed: seed, stream: .buildings, index: UInt64(index))
            var lrng = SynthRandom(seed: seed, stream: .landcover, index: UInt64(index))
            var frng = SynthRandom(seed: seed, stream: .inundation, index: UInt64(index))
            var serial = 100_000 + index * 1_000
            Park.populate(parts: parts, style: style, buildingRNG: &brng, landRNG: &lrng, floodRNG: &frng,
                          nextPandID: { serial += 1; return Buildings.pandID(municipality: code, serial: serial) },
                          into: &batch)
            return batch
        }
        func props(_ id: String, _ naam: String, _ gemeente: String?) -> [(String, PropertyValue)] {
            var p: [(String, PropertyValue)] = [("id", .string(id)), ("naam", .string(naam))]
            if let g = gemeente { p.append(("gemeente", .string(g))) }
            return p
        }

        for (i, spec) in Self.specs.enumerated() {
            var rng = SynthRandom(seed: seed, stream: .terreinShape, index: UInt64(i))
            var parts: [ParkPart] = []
            for p in spec.parts {
                let frame = Frame(cx: p.cx, cy: p.cy, theta: p.theta + rng.uniform(-2, 2))
                let notch = p.notch ? (2 * p.a * rng.uniform(0.25, 0.4), 2 * p.b * rng.uniform(0.25, 0.4)) : nil
                let outline = Outline.blocky(a: p.a, b: p.b, notch: notch, jitter: 0.01 * min(p.a, p.b), rng: &rng)
                parts.append(ParkPart(frame: frame, halfX: p.a, halfY: p.b, outline: outline))
            }
            let feature = SynthFeature(props(spec.id, spec.naam, spec.gemeente), polygons: parts.map { [$0.ring] })
            out.append(Built(id: spec.id, feature: feature, parts: parts,
                             batch: populate(parts, index: i + 1, code: spec.code)))
        }

        // Klei Oost and Klei West: one block cut in two along a shared edge whose two
        // vertices are the same millimetre coordinates in both.
        var rng = SynthRandom(seed: seed, stream: .terreinShape, index: 100)
        let f = Frame(cx: 89_700, cy: 470_550, theta: 92 + rng.uniform(-2, 2))
        let westA = 180.0, eastA = 190.0, b = 160.0
        let shared = f.ring([(0, -b), (0, b)])
        let west = f.ring([(-2 * westA, -b)]) + shared[0..<2] + shared[2..<4] + f.ring([(-2 * westA, b)])
        let east = shared[0..<2] + f.ring([(2 * eastA, -b), (2 * eastA, b)]) + shared[2..<4]
        // Layout frames centred on each half; plots stay 12 m clear of the shared edge.
        let westPart = ParkPart(frame: Frame(cx: f.world(-westA - 6, 0).x, cy: f.world(-westA - 6, 0).y, theta: f.theta),
                                halfX: westA - 6, halfY: b,
                                outline: [(-(westA - 6), -b), (westA - 6, -b), (westA - 6, b), (-(westA - 6), b)])
        let eastPart = ParkPart(frame: Frame(cx: f.world(eastA + 6, 0).x, cy: f.world(eastA + 6, 0).y, theta: f.theta),
                                halfX: eastA - 6, halfY: b,
                                outline: [(-(eastA - 6), -b), (eastA - 6, -b), (eastA - 6, b), (-(eastA - 6), b)])
        var eastBuilt = Built(id: "KTW-02", feature: SynthFeature(props("KTW-02", "Klei Oost", "Katwijk"), polygon: [Array(east)]),
                              parts: [eastPart], batch: populate([eastPart], index: 20, code: 537))
        let westBuilt = Built(id: "KTW-03", feature: SynthFeature(props("KTW-03", "Klei West", "Katwijk"), polygon: [Array(west)]),
                              parts: [westPart], batch: populate([westPart], index: 21, code: 537))
        // A warehouse across the shared edge and the southern boundary: two flat faces, the
        // western one lying in Klei West, Klei Oost and outside both.
        var brng = SynthRandom(seed: seed, stream: .buildings, index: 300)
        let straddler = Buildings.faces(frame: f, x0: -25, y0: -b - 12, x1: 45, y1: -b + 6,
                                        kind: .flat(sections: 2), rng: &brng)
        for face in straddler {
            eastBuilt.batch.roofs.append(PlacedFace(pandID: Buildings.pandID(municipality: 537, serial: 190_001), face: face))
        }
        out.insert(eastBuilt, at: 1)
        out.insert(westBuilt, at: 2)
        return out
    }

    /// Everything outside the terreinen: a lane with houses, a few fields and a ditch.
    func countryside() -> Batch {
        var batch = Batch()
        var rng = SynthRandom(seed: seed, stream: .hamlet)
        let lane = Frame(cx: 90_050, cy: 471_950, theta: 70 + rng.uniform(-3, 3))
        var x = -70.0
        for h in 0..<8 {
            let w = rng.uniform(7, 10), d = rng.uniform(8, 11)
            let north = h % 2 == 0
            let y0 = north ? rng.uniform(6, 9) : -rng.uniform(6, 9) - d
            let kind: RoofKind = h == 3 ? .flat(sections: 1) : (h % 3 == 0 ? .hip : .gable)
            let faces = Buildings.faces(frame: lane, x0: x, y0: y0, x1: x + w, y1: y0 + d, kind: kind, rng: &rng)
            let pand = Buildings.pandID(municipality: 537, serial: 180_001 + h)
            for face in faces { batch.roofs.append(PlacedFace(pandID: pand, face: face)) }
            batch.landcover.append(LandPatch(klasse: "gras",
                                             polygon: [lane.rect(x - 1, north ? y0 + d : y0 - 18, x + w + 1, north ? y0 + d + 18 : y0)]))
            if !north { x += w + rng.uniform(8, 14) }
        }
        batch.landcover.append(LandPatch(klasse: "verhard", polygon: [lane.rect(-80, -3, x + 20, 3)]))
        // Fields between the parks, with a ditch.
        let fields = Frame(cx: 89_300, cy: 471_750, theta: 100)
        for c in 0..<3 {
            let x0 = -150 + Double(c) * 100
            batch.landcover.append(LandPatch(klasse: c == 1 ? "groen" : "gras",
                                             polygon: [fields.rect(x0, -60, x0 + 99.5, 60)]))
        }
        batch.landcover.append(LandPatch(klasse: "water", polygon: [fields.rect(-150, 61, 150, 65)]))
        batch.landcover.append(LandPatch(klasse: "onbekend", polygon: [fields.rect(150.5, -60, 190, 60)]))
        // Wet spots in the fields.
        var frng = SynthRandom(seed: seed, stream: .inundation, index: 900)
        for k in 0..<4 {
            let c = fields.world(-120 + Double(k) * 80, frng.uniform(-40, 40))
            batch.inundation.append(FloodPatch(depth: Park.depth(&frng), ring: Park.blob(x: c.x, y: c.y, radius: frng.uniform(8, 25), rng: &frng)))
        }
        return batch
    }

    /// Places the deliberate imperfections and guaranteed values into the generated data.
    func imperfect(_ built: inout [Built], _ outside: inout Batch) {
        func index(_ id: String) -> Int { built.firstIndex { $0.id == id }! }

        // A face with a null slope: a flat roof in Zanderij.
        let zanderij = index("KTW-04")
        if let i = built[zanderij].batch.roofs.firstIndex(where: { ($0.face.slope ?? 99) <= 5 }) {
            built[zanderij].batch.roofs[i].face.slope = nil
        }
        // A pitched face without azimuth: the first pitched face of Bedrijvenpark Rijnsburg,
        // else of any terrein, else of the lane's houses.
        var done = false
        for id in ["KTW-06"] + built.map(\.id) where !done {
            let t = index(id)
            if let i = built[t].batch.roofs.firstIndex(where: { ($0.face.slope ?? 0) > 10 && $0.face.azimuth != nil }) {
                built[t].batch.roofs[i].face.azimuth = nil
                done = true
            }
        }
        if !done, let i = outside.roofs.firstIndex(where: { ($0.face.slope ?? 0) > 10 }) {
            outside.roofs[i].face.azimuth = nil
        }
        // A bow-tie: a yard in Sandtlaan with two corners swapped (and its hole dropped).
        let sandtlaan = index("KTW-07")
        if let i = built[sandtlaan].batch.landcover.firstIndex(where: { $0.klasse == "verhard" && $0.polygon.count == 2 }) {
            let r = built[sandtlaan].batch.landcover[i].polygon[0]
            built[sandtlaan].batch.landcover[i].polygon = [[r[0], r[1], r[2], r[3], r[6], r[7], r[4], r[5]]]
        } else {
            let p = built[sandtlaan].parts[0]
            let f = p.frame
            built[sandtlaan].batch.landcover.append(LandPatch(klasse: "verhard", polygon: [f.ring([
                (-40, -p.halfY + 20), (0, -p.halfY + 20), (-40, -p.halfY + 50), (0, -p.halfY + 50),
            ])]))
        }
        // A few 'onbekend' land cover classes inside terreinen.
        for id in ["KTW-05", "KTW-09", "KTW-10"] {
            let t = index(id)
            if let i = built[t].batch.landcover.lastIndex(where: { $0.klasse != "water" && $0.klasse != "onbekend" }) {
                built[t].batch.landcover[i].klasse = "onbekend"
            }
        }
        // Inundation on the thresholds: 0.10 over a building in Klei Oost, 0.30 and 0.05 in
        // Klei West, 0.08 in 't Heen.
        let fixedDepths: [(String, Double, Double)] = [("KTW-02", 0.10, 18), ("KTW-03", 0.30, 22),
                                                        ("KTW-03", 0.05, 12), ("KTW-01", 0.08, 15)]
        var frng = SynthRandom(seed: seed, stream: .inundation, index: 901)
        var used: [String: Int] = [:]
        for (id, depth, radius) in fixedDepths {
            let t = index(id)
            let k = used[id, default: 0]
            used[id] = k + 1
            let bs = built[t].batch.buildings
            let part = built[t].parts[0]
            let centre: (x: Double, y: Double)
            if k < bs.count {
                let bld = bs[k]
                centre = built[t].parts[bld.part].frame.world((bld.x0 + bld.x1) / 2, bld.y0)
            } else {
                centre = part.frame.world(Double(k) * 40 - 40, 0)
            }
            built[t].batch.inundation.append(FloodPatch(depth: depth, ring: Park.blob(x: centre.x, y: centre.y, radius: radius, rng: &frng)))
        }
    }

    /// The Natura 2000 sites in RD New: dune sites west of the parks, one 300 m from 't Heen,
    /// one 800 m from Duinzicht, one (in two parts) well away from all.
    func sites(_ built: [Built]) -> [(String, [PolygonRings])] {
        var rng = SynthRandom(seed: seed, stream: .natura2000)
        func shape(_ cx: Double, _ cy: Double, _ r: Double, _ stretch: Double, _ theta: Double, _ n: Int) -> Ring {
            var s = StarShape(cx: cx, cy: cy, radius: r)
            s.stretchX = stretch
            s.theta = theta
            s.randomize(&rng, count: 10, roughness: 0.3, noise: 0.03)
            return s.ring(vertices: n, rng: &rng)
        }
        func outline(_ id: String) -> [(Double, Double)] {
            ringPoints(built.first { $0.id == id }!.feature.polygons[0][0])
        }
        /// Moves the ring east/west until its distance to `target` is `distance` (within 1 cm).
        func place(_ ring: Ring, near target: [(Double, Double)], distance: Double) -> Ring {
            var r = ring
            for _ in 0..<30 {
                let d = ringDistance(ringPoints(r), target)
                if abs(d - distance) < 0.01 { break }
                let shift = toMM(d - distance)
                for i in stride(from: 0, to: r.count, by: 2) { r[i] += shift }
            }
            return r
        }
        let heen = outline("KTW-01"), duinzicht = outline("KTW-11")
        let terreinRings = built.map { t in (t.id, t.feature.polygons.map { ringPoints($0[0]) }) }
        var result: [(String, [PolygonRings])] = []
        // Draw outlines until only the two intended terreinen lie within 1 km of a site: 't Heen
        // at 300 m from Coepelduynen, Duinzicht at 800 m from Kennemerland-Zuid, every other
        // pair at least 1,050 m apart (clear of the 500 m and 1000 m bands).
        for _ in 0..<64 {
            let coepel = place(shape(87_600, 470_700, 600, 1.8, 30, 360), near: heen, distance: Self.nearSiteDistance)
            let kennemer = place(shape(87_900, 474_600, 800, 2.0, 35, 300), near: duinzicht, distance: Self.midSiteDistance)
            // Two parts whose outlines cannot meet: centres 3 km apart, bound radii below 1.5 km.
            let berkheide = shape(86_400, 469_000, 500, 1.8, 35, 200)
            let meijendel = shape(84_600, 466_500, 600, 1.6, 40, 240)
            result = [
                ("Coepelduynen", [[coepel]]),
                ("Kennemerland-Zuid", [[kennemer]]),
                ("Meijendel & Berkheide", [[meijendel], [berkheide]]),
            ]
            var ok = true
            for (id, parts) in terreinRings where ok {
                for (name, polys) in result {
                    let d = parts.flatMap { p in polys.map { ringDistance(p, ringPoints($0[0])) } }.min()!
                    switch (id, name) {
                    case ("KTW-01", "Coepelduynen"): ok = ok && abs(d - Self.nearSiteDistance) < 0.05
                    case ("KTW-11", "Kennemerland-Zuid"): ok = ok && abs(d - Self.midSiteDistance) < 0.05
                    default: ok = ok && d >= 1_050
                    }
                }
            }
            if ok { break }
        }
        return result
    }

    // MARK: - Writing

    public func write(to directory: URL, reproject: @escaping Reproject,
                      writeHeatMap: WriteHeatMap? = nil, writeDepthGrid: WriteDepthGrid? = nil) throws -> [LayerSummary] {
        var built = buildTerreinen()
        var outside = countryside()
        imperfect(&built, &outside)
        let files = Self.files

        let terreinen = try LayerWriter(directory: directory, fileName: files.terreinen, layer: "terreinen",
                                        encoding: .collectionRD)
        for t in built { try terreinen.write(t.feature) }

        let roofs = try LayerWriter(directory: directory, fileName: files.roofs, layer: "roofs", encoding: .sequenceRD)
        for t in built { for f in t.batch.roofs { try roofs.write(f.feature) } }
        for f in outside.roofs { try roofs.write(f.feature) }

        let natura = try LayerWriter(directory: directory, fileName: files.natura2000, layer: "natura2000",
                                     encoding: .collectionWGS84, reproject: reproject)
        for (name, polys) in sites(built) {
            try natura.write(SynthFeature([("naam", .string(name))], polygons: polys))
        }

        // Land cover from two sources, as the BGT comes: the water polygons (waterdeel, one
        // class) apart from the rest (a class field with its mapping), each in patch order.
        let landcover = try LayerWriter(directory: directory, fileName: files.landcover, layer: "landcover",
                                        encoding: .collectionRD)
        let waterdeel = try LayerWriter(directory: directory, fileName: files.waterdeel, layer: "waterdeel",
                                        encoding: .collectionRD)
        let patches = built.flatMap(\.batch.landcover) + outside.landcover
        for p in patches {
            if p.klasse == "water" {
                try waterdeel.write(SynthFeature([("bgt_type", .string(p.bgtWaterType))], polygon: p.polygon))
            } else {
                try landcover.write(p.feature)
            }
        }

        let inundation = try LayerWriter(directory: directory, fileName: files.inundation, layer: "inundation",
                                         encoding: .collectionWGS84, reproject: reproject)
        for t in built { for p in t.batch.inundation { try inundation.write(p.feature) } }
        for p in outside.inundation { try inundation.write(p.feature) }

        var summaries = [try terreinen.finish(), try roofs.finish(), try natura.finish(),
                         try landcover.finish(), try waterdeel.finish(), try inundation.finish()]
        if let writeHeatMap {
            // The whole sample area at 10 m: the terreinen with 400 m around them.
            let boxes = terreinen.featureBounds
            let extent = HeatMap.Box(minX: boxes.map(\.minX).min()! - 400, minY: boxes.map(\.minY).min()! - 400,
                                     maxX: boxes.map(\.maxX).max()! + 400, maxY: boxes.map(\.maxY).max()! + 400)
            let map = HeatMap(seed: seed, extent: extent, cellSize: 10, terreinen: boxes, dense: true)
            try writeHeatMap(Self.files.heat, map)
            summaries.append(try HeatMap.summary(map, fileName: Self.files.heat, in: directory))
        }
        if let writeDepthGrid {
            // The flood patches of inundation.geojson (in RD New, before reprojection) as a
            // 5 m depth grid over the whole sample area, as the heat map's.
            let boxes = terreinen.featureBounds
            let extent = HeatMap.Box(minX: boxes.map(\.minX).min()! - 400, minY: boxes.map(\.minY).min()! - 400,
                                     maxX: boxes.map(\.maxX).max()! + 400, maxY: boxes.map(\.maxY).max()! + 400)
            let patches = (built.flatMap(\.batch.inundation) + outside.inundation).map { DepthGrid.Patch(ring: $0.ring, depth: $0.depth) }
            let grid = DepthGrid(seed: seed, extent: extent, cellSize: 5, terreinen: boxes, patches: patches, dense: true)
            try writeDepthGrid(Self.files.inundationRaster, grid)
            summaries.append(try DepthGrid.summary(grid, fileName: Self.files.inundationRaster, in: directory))
        }
        return summaries
    }

    // MARK: - README

    /// The text of `SampleGIS/README.md` for a generated sample.
    public static func readme(seed: UInt64, layers: [LayerSummary]) -> String {
        func count(_ layer: String) -> String {
            guard let l = layers.first(where: { $0.layer == layer }) else { return "?" }
            return String(l.features)
        }
        return """
        # SampleGIS: a synthetic Katwijk sample

        **Everything here is synthetic.** These files were made by

            terrein synth --scale sample --seed \(seed) --out SampleGIS

        from a fixed layout and a seeded generator (`Sources/TerreinSynth`). The parks carry
        plausible names from around Katwijk, Rijnsburg, Valkenburg, Noordwijk and Oegstgeest,
        and the Natura 2000 sites carry real site names, but no outline, building, land cover
        class or water depth here describes the real place. Do not use them for anything but
        testing and demonstrating the pipeline (`Pipelines/sample.yml`).

        | file | layer | features | CRS and encoding | properties |
        |---|---|---|---|---|
        | `terreinen.geojson` | terreinen (business parks) | \(count("terreinen")) | RD New (EPSG:28992): a FeatureCollection with the legacy member `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}` | `id` (string, `KTW-01`…), `naam`, `gemeente` |
        | `roofs.geojsonl` | roofs (one feature per roof face: its 2D projection) | \(count("roofs")) | RD New, GeoJSON text sequence: one Feature per line, no `crs` member (the pipeline names the CRS) | `pand_id` (building id), `helling` (slope, degrees), `orientatie` (azimuth, degrees clockwise from north) |
        | `natura2000.geojson` | natura2000 | \(count("natura2000")) | WGS84 longitude/latitude, RFC 7946 FeatureCollection (no `crs` member) | `naam` |
        | `landcover.geojson` | landcover, first source (everything but water) | \(count("landcover")) | RD New FeatureCollection with the legacy `crs` member | `klasse`: `verhard`, `bebouwd` (sealed), `groen`, `gras` (green), and `onbekend`, which the pipeline leaves unmapped |
        | `bgt_waterdeel.geojson` | landcover, second source: the water polygons, as the BGT's waterdeel layer | \(count("waterdeel")) | RD New FeatureCollection with the legacy `crs` member | `bgt_type`: `waterloop` (ditches), `watervlakte` (ponds); the pipeline gives the whole source the class `water` |
        | `bgt_waterdeel.gml` (+ `.xsd`) | landcover, second source, as GML (what `Pipelines/sample.yml` reads): layer `waterdeel` | \(count("waterdeel")) | RD New (`srsName="urn:ogc:def:crs:EPSG::28992"`), GML 3.2 written by GDAL from `bgt_waterdeel.geojson`, with the application schema GDAL writes beside it | `bgt_type` |
        | `inundation.geojson` | inundation as polygons (what `Pipelines/sample-polygons.yml` reads) | \(count("inundation")) | WGS84 longitude/latitude, RFC 7946 FeatureCollection | `waterdiepte` (modelled water depth, metres) |
        | `inundation.tif` | inundation as a depth raster (what `Pipelines/sample.yml` reads) | \(count("inundation_raster")) cells | RD New GeoTIFF (one Float32 band, 5 m cells, tiled and deflate-compressed), nodata -9999 | water depth (m): the patches of `inundation.geojson` drawn on the grid (a cell whose centre lies in a patch takes its depth, the deepest where patches overlap; other cells 0 m), about 1 % nodata cells |
        | `terreinen.gpkg` | terreinen, as a GeoPackage layer `terreinen` (what `Pipelines/sample.yml` reads) | \(count("terreinen")) | RD New (EPSG:28992), written by GDAL from `terreinen.geojson` | as in `terreinen.geojson` |
        | `natura2000.shp` (+ `.shx`, `.dbf`, `.prj`, `.cpg`) | natura2000, as a Shapefile (what `Pipelines/sample.yml` reads) | \(count("natura2000")) | WGS84 (the `.prj`), UTF-8 attributes, written by GDAL from `natura2000.geojson` | `naam` |
        | `heat.tif` | heat | \(count("heat")) cells | RD New GeoTIFF (one Float32 band, 10 m cells, tiled and deflate-compressed), nodata -9999 | PET (*gevoelstemperatuur*, °C): cooler countryside, hot parks, about 1 % nodata cells |

        RD New coordinates are printed with 3 decimals (millimetres), longitude/latitude with 7.
        The WGS84 files were reprojected from RD New with PROJ through the RDNAPTRANS2018 grid
        (the operation a run uses the other way; see docs/rd-new.md).

        ## What the sample contains on purpose

        - 11 terreinen in three gemeenten (Katwijk, Noordwijk, Oegstgeest) and one, `KTW-11`
          Duinzicht, without a `gemeente` property (the region with the empty name).
        - `KTW-02` Klei Oost and `KTW-03` Klei West share an edge (the same two vertices).
          `KTW-08` Valkenburg Werklandschap is a MultiPolygon of two parts.
        - Roof faces: flat warehouse roofs (slope 0–5°) dominate; pitched buildings have 2
          (gable) or 4 (hip) faces sharing their edges exactly; some houses lie outside all
          terreinen. A two-face warehouse straddles the Klei Oost/Klei West edge and their
          southern boundary, so its faces are split between terreinen and the outside.
        - Natura 2000: Coepelduynen lies \(Int(nearSiteDistance)) m from `KTW-01` 't Heen (within the
          500 m band), Kennemerland-Zuid \(Int(midSiteDistance)) m from `KTW-11` Duinzicht (within 1000 m
          only); every other terrein is more than 1,050 m from every site. Meijendel & Berkheide
          is a MultiPolygon of two parts. No terrein touches or overlaps a site.
        - Inundation depths include values exactly at the thresholds, 0.10 and 0.30 m (over
          buildings in Klei Oost and Klei West), and values below 0.10 m, which do not count.
          In `inundation.tif` they are Float32 (0.10 is stored as 0.1000000015, still at or
          above the threshold), and its nodata cells count as neither flooded nor dry.

        ## Deliberate imperfections, as real exports have them

        - One self-intersecting (bow-tie) land cover polygon, a `verhard` yard in `KTW-07`
          Sandtlaan: the pipeline repairs it with GEOS MakeValid.
        - One pitched roof face (slope above 10°) without `orientatie`: its attributes are
          invalid, so it counts for the roof totals but is never suitable for solar panels.
        - One roof face with `"helling": null` (in `KTW-04` Zanderij): a null slope is taken
          as 0, a flat roof.
        - Some flat roof faces have no `orientatie` at all, which is fine for flat faces.
        - A few land cover polygons of class `onbekend`, counted as `other`.
        - Land cover polygons overlap roofs and each other in places (ditches, ponds, roads
          across park boundaries), as independent sources do.

        """
    }
}
