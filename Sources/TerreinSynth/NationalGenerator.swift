import Foundation

/// Benchmark data at national scale, and its geographic subsets.
///
/// The RD extent is cut into 2.5 km cells. Exactly 3,800 cells (chosen by seeded keys over all
/// cells) hold one terrein each, wholly inside its cell, with its buildings, land cover and
/// inundation patches; every other cell holds a hamlet, farmland and a few inundation patches.
/// A cell's content depends only on (seed, cell index), so scale M and S, which write the
/// cells of a window of 1/10 and 1/100 of the extent, are exact subsets of L, feature for
/// feature and byte for byte. Natura 2000 sites are generated once for the whole country;
/// a window includes the sites whose outline may reach into it.
public struct NationalGenerator {
    public let seed: UInt64
    public let scale: Scale

    // The grid: 106 x 125 cells of 2.5 km from (13000, 306000) to (278000, 618500).
    static let originX = 13_000.0
    static let originY = 306_000.0
    static let cellSize = 2_500.0
    static let columns = 106
    static let rows = 125
    static let terreinCount = 3_800
    static let gemeenteCount = 342
    static let siteCount = 160

    /// Cell windows: (first column, first row, columns, rows).
    static func cellWindow(_ scale: Scale) -> (ix: Int, iy: Int, nx: Int, ny: Int) {
        switch scale {
        case .L, .sample: return (0, 0, columns, rows)     // 13,250 cells
        case .M: return (36, 38, 35, 38)                    // 1,330 cells (1/9.96)
        case .S: return (48, 54, 11, 12)                    // 132 cells (1/100.4), inside M
        }
    }

    /// The RD New window of a scale: (minX, minY, maxX, maxY) in metres.
    public static func window(_ scale: Scale) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let w = cellWindow(scale)
        return (originX + Double(w.ix) * cellSize, originY + Double(w.iy) * cellSize,
                originX + Double(w.ix + w.nx) * cellSize, originY + Double(w.iy + w.ny) * cellSize)
    }

    public init(seed: UInt64, scale: Scale) {
        precondition(scale != .sample, "the sample has its own generator")
        self.seed = seed
        self.scale = scale
    }

    // MARK: - Country-wide plan (cheap, the same at every scale)

    struct Gemeente {
        let name: String
        let code: Int
        let x: Double
        let y: Double
    }

    struct Plan {
        /// For each cell, the terrein number (1...3800) or 0.
        var terreinNumber: [Int]
        var gemeenten: [Gemeente]
    }

    func plan() -> Plan {
        let n = Self.columns * Self.rows
        var keys: [(UInt64, Int)] = []
        keys.reserveCapacity(n)
        for c in 0..<n {
            var r = SynthRandom(seed: seed, stream: .terreinSelection, index: UInt64(c))
            keys.append((r.next(), c))
        }
        keys.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var chosen = [Bool](repeating: false, count: n)
        for k in keys.prefix(Self.terreinCount) { chosen[k.1] = true }
        var number = [Int](repeating: 0, count: n)
        var next = 1
        for c in 0..<n where chosen[c] {
            number[c] = next
            next += 1
        }
        var grng = SynthRandom(seed: seed, stream: .gemeenten)
        var nrng = SynthRandom(seed: seed, stream: .names)
        let names = Names.places(count: Self.gemeenteCount, rng: &nrng)
        var gemeenten: [Gemeente] = []
        for i in 0..<Self.gemeenteCount {
            let x = grng.uniform(Self.originX, Self.originX + Double(Self.columns) * Self.cellSize)
            let y = grng.uniform(Self.originY, Self.originY + Double(Self.rows) * Self.cellSize)
            gemeenten.append(Gemeente(name: names[i], code: 100 + i * 5, x: x, y: y))
        }
        return Plan(terreinNumber: number, gemeenten: gemeenten)
    }

    static func nearest(_ gemeenten: [Gemeente], _ x: Double, _ y: Double) -> Int {
        var best = 0
        var bestD = Double.infinity
        for (i, g) in gemeenten.enumerated() {
            let d = (g.x - x) * (g.x - x) + (g.y - y) * (g.y - y)
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    // MARK: - Writing

    public func write(to directory: URL, writeHeatMap: WriteHeatMap? = nil,
                      writeDepthGrid: WriteDepthGrid? = nil) throws -> [LayerSummary] {
        let plan = self.plan()
        let terreinen = try LayerWriter(directory: directory, fileName: "terreinen.geojson",
                                        layer: "terreinen", encoding: .collectionRD)
        let roofs = try LayerWriter(directory: directory, fileName: "roofs.geojsonl",
                                    layer: "roofs", encoding: .sequenceRD)
        let natura = try LayerWriter(directory: directory, fileName: "natura2000.geojson",
                                     layer: "natura2000", encoding: .collectionRD)
        let landcover = try LayerWriter(directory: directory, fileName: "landcover.geojsonl",
                                        layer: "landcover", encoding: .sequenceRD)
        let inundation = try LayerWriter(directory: directory, fileName: "inundation.geojsonl",
                                         layer: "inundation", encoding: .sequenceRD)

        try writeSites(to: natura)

        let w = Self.cellWindow(scale)
        var batch = Batch()
        var patches: [DepthGrid.Patch] = []
        for iy in w.iy..<(w.iy + w.ny) {
            for ix in w.ix..<(w.ix + w.nx) {
                let cell = iy * Self.columns + ix
                batch.removeAll()
                if plan.terreinNumber[cell] > 0 {
                    let t = terrein(cell: cell, ix: ix, iy: iy, number: plan.terreinNumber[cell],
                                    gemeenten: plan.gemeenten, into: &batch)
                    try terreinen.write(t)
                } else {
                    countryside(cell: cell, ix: ix, iy: iy, gemeenten: plan.gemeenten, into: &batch)
                }
                for f in batch.roofs { try roofs.write(f.feature) }
                for p in batch.landcover { try landcover.write(p.feature) }
                for p in batch.inundation { try inundation.write(p.feature) }
                if writeDepthGrid != nil { patches += batch.inundation.map { DepthGrid.Patch(ring: $0.ring, depth: $0.depth) } }
            }
        }
        var summaries = [try terreinen.finish(), try roofs.finish(), try natura.finish(),
                         try landcover.finish(), try inundation.finish()]
        if let writeHeatMap {
            // One national 10 m grid at every scale (so S and M are subsets of L's cells),
            // written only near this scale's terreinen.
            let l = Self.window(.L)
            let map = HeatMap(seed: seed, extent: HeatMap.Box(minX: l.minX, minY: l.minY, maxX: l.maxX, maxY: l.maxY),
                              cellSize: 10, terreinen: terreinen.featureBounds, dense: false)
            try writeHeatMap("heat.tif", map)
            summaries.append(try HeatMap.summary(map, fileName: "heat.tif", in: directory))
        }
        if let writeDepthGrid {
            // The same flood patches as inundation.geojsonl, as a 5 m depth grid over this
            // scale's window, written only near terreinen and under patches.
            let v = Self.window(scale)
            let grid = DepthGrid(seed: seed, extent: HeatMap.Box(minX: v.minX, minY: v.minY, maxX: v.maxX, maxY: v.maxY),
                                 cellSize: 5, terreinen: terreinen.featureBounds, patches: patches, dense: false)
            try writeDepthGrid("inundation.tif", grid)
            summaries.append(try DepthGrid.summary(grid, fileName: "inundation.tif", in: directory))
        }
        return summaries
    }

    /// National style: imperfections at low rates, as in a real national export.
    static let style: ParkStyle = {
        var s = ParkStyle()
        s.bowtieRate = 1.0 / 12_000
        s.missingAzimuthRate = 1.0 / 400
        s.nullSlopeRate = 1.0 / 20_000
        return s
    }()

    /// The terrein of a cell, its contents appended to the batch.
    func terrein(cell: Int, ix: Int, iy: Int, number: Int, gemeenten: [Gemeente],
                 into batch: inout Batch) -> SynthFeature {
        var rng = SynthRandom(seed: seed, stream: .terreinShape, index: UInt64(cell))
        let cellX0 = Self.originX + Double(ix) * Self.cellSize
        let cellY0 = Self.originY + Double(iy) * Self.cellSize
        let margin = 40.0
        let maxRadius = Self.cellSize / 2 - margin
        // 5-200 ha, most of them small.
        let u = rng.unit()
        let area = (5.3 + 190 * u * u * u) * 10_000
        let aspect = rng.uniform(1.0, 2.5)
        let hasNotch = rng.chance(0.4)
        let nfa = rng.uniform(0.25, 0.45), nfb = rng.uniform(0.25, 0.45)
        let notchFraction = hasNotch ? nfa * nfb : 0
        let (a, b) = Outline.halfSizes(area: area, aspect: aspect, notchFraction: notchFraction,
                                       maxRadius: maxRadius / 1.02)
        let radius = (a * a + b * b).squareRoot() * 1.02
        let slack = max(0, maxRadius - radius)
        let cx = cellX0 + Self.cellSize / 2 + rng.uniform(-slack, slack)
        let cy = cellY0 + Self.cellSize / 2 + rng.uniform(-slack, slack)
        let theta = rng.chance(0.3) ? rng.uniform(-5, 5) : rng.uniform(0, 180)
        let frame = Frame(cx: cx, cy: cy, theta: theta)
        let outline = Outline.blocky(a: a, b: b, notch: hasNotch ? (2 * a * nfa, 2 * b * nfb) : nil,
                                     jitter: 0.01 * min(a, b), rng: &rng)
        var parts = [ParkPart(frame: frame, halfX: a, halfY: b, outline: outline)]
        // A few terreinen come in two parts (across a canal, say).
        if rng.chance(0.03) {
            let a2 = a * rng.uniform(0.15, 0.3), b2 = b * rng.uniform(0.3, 0.6)
            let gap = rng.uniform(20, 80)
            let dy = rng.uniform(-(b - b2), b - b2)
            let f2 = Frame(cx: frame.world(a + gap + a2, dy).x, cy: frame.world(a + gap + a2, dy).y, theta: theta)
            let corners = [f2.world(-a2, -b2), f2.world(a2, -b2), f2.world(a2, b2), f2.world(-a2, b2)]
            let fits = corners.allSatisfy { p in
                p.x > cellX0 + margin && p.x < cellX0 + Self.cellSize - margin
                    && p.y > cellY0 + margin && p.y < cellY0 + Self.cellSize - margin
            }
            let second = ParkPart(frame: f2, halfX: a2, halfY: b2,
                                  outline: Outline.blocky(a: a2, b: b2, notch: nil, jitter: 0, rng: &rng))
            // Both parts inside the cell, and the total still at most 200 ha.
            if fits, parts[0].area + second.area <= 1_990_000 {
                parts.append(second)
            }
        }
        let g = Self.nearest(gemeenten, cx, cy)
        let id = "NL-" + Buildings.pad(number, 4)
        var props: [(String, PropertyValue)] = [
            ("id", .string(id)),
            ("naam", .string(Names.park(gemeente: gemeenten[g].name, rng: &rng))),
        ]
        switch rng.pick(weights: [0.98, 0.01, 0.01]) {
        case 0: props.append(("gemeente", .string(gemeenten[g].name)))
        case 1: props.append(("gemeente", .null))
        default: break   // no gemeente property at all
        }

        var brng = SynthRandom(seed: seed, stream: .buildings, index: UInt64(cell))
        var lrng = SynthRandom(seed: seed, stream: .landcover, index: UInt64(cell))
        var frng = SynthRandom(seed: seed, stream: .inundation, index: UInt64(cell))
        var serial = cell * 10_000
        let code = gemeenten[g].code
        Park.populate(parts: parts, style: Self.style, buildingRNG: &brng, landRNG: &lrng, floodRNG: &frng,
                      nextPandID: { serial += 1; return Buildings.pandID(municipality: code, serial: serial) },
                      into: &batch)
        return SynthFeature(props, polygons: parts.map { [$0.ring] })
    }

    /// A cell without a terrein: a hamlet along a lane, farmland parcels with ditches, and a
    /// few inundation patches.
    func countryside(cell: Int, ix: Int, iy: Int, gemeenten: [Gemeente], into batch: inout Batch) {
        let cellX0 = Self.originX + Double(ix) * Self.cellSize
        let cellY0 = Self.originY + Double(iy) * Self.cellSize
        // Hamlet.
        var hrng = SynthRandom(seed: seed, stream: .hamlet, index: UInt64(cell))
        let hx = cellX0 + hrng.uniform(400, Self.cellSize - 400)
        let hy = cellY0 + hrng.uniform(400, Self.cellSize - 400)
        let lane = Frame(cx: hx, cy: hy, theta: hrng.uniform(0, 180))
        let houses = hrng.int(4, 14)
        let g = Self.nearest(gemeenten, hx, hy)
        var serial = cell * 10_000
        var x = -Double(houses) * 9
        var laneEnd = x
        for h in 0..<houses {
            let w = hrng.uniform(7, 11), d = hrng.uniform(8, 12)
            let side: Double = h % 2 == 0 ? 1 : -1
            let y0 = side > 0 ? hrng.uniform(6, 10) : -hrng.uniform(6, 10) - d
            let kind = Buildings.houseKind(rng: &hrng)
            let faces = Buildings.faces(frame: lane, x0: x, y0: y0, x1: x + w, y1: y0 + d, kind: kind, rng: &hrng)
            serial += 1
            let pand = Buildings.pandID(municipality: gemeenten[g].code, serial: serial)
            for var face in faces {
                if hrng.chance(Self.style.nullSlopeRate) { face.slope = nil }
                batch.roofs.append(PlacedFace(pandID: pand, face: face))
            }
            if hrng.chance(0.5) {
                // Garden behind the house.
                let gy0 = side > 0 ? y0 + d : y0 - 20
                let gy1 = side > 0 ? y0 + d + 20 : y0
                batch.landcover.append(LandPatch(klasse: "gras", polygon: [lane.rect(x - 1, gy0, x + w + 1, gy1)]))
            }
            if side < 0 { x += max(w, 8) + hrng.uniform(6, 14) }
            laneEnd = x + w
        }
        batch.landcover.append(LandPatch(klasse: "verhard",
                                         polygon: [lane.rect(-Double(houses) * 9 - 10, -3, laneEnd + 10, 3)]))

        // Farmland: a block of parcels with ditches between the rows and a farm yard.
        var frng = SynthRandom(seed: seed, stream: .farmland, index: UInt64(cell))
        let fx = cellX0 + frng.uniform(700, Self.cellSize - 700)
        let fy = cellY0 + frng.uniform(700, Self.cellSize - 700)
        let farm = Frame(cx: fx, cy: fy, theta: frng.uniform(0, 180))
        let cols = frng.int(2, 4), rowsN = 2
        let pw = frng.uniform(100, 220), pd = frng.uniform(70, 140)
        let x0 = -Double(cols) * pw / 2, y0 = -Double(rowsN) * pd / 2
        for r in 0..<rowsN {
            for c in 0..<cols {
                let px0 = x0 + Double(c) * pw, py0 = y0 + Double(r) * (pd + 6)
                let k = ["gras", "groen", "gras", "onbekend"][frng.pick(weights: [0.7, 0.2, 0.09, 0.01])]
                batch.landcover.append(LandPatch(klasse: k, polygon: [farm.rect(px0, py0, px0 + pw - 0.5, py0 + pd)]))
            }
        }
        batch.landcover.append(LandPatch(klasse: "water",
                                         polygon: [farm.rect(x0, y0 + pd + 1, x0 + Double(cols) * pw, y0 + pd + 5)]))
        let yardX = x0 - 60
        batch.landcover.append(LandPatch(klasse: "verhard", polygon: [farm.rect(yardX, y0, yardX + 50, y0 + 45)]))
        if frng.chance(0.6) {
            batch.landcover.append(LandPatch(klasse: "bebouwd", polygon: [farm.rect(yardX + 5, y0 + 5, yardX + 35, y0 + 20)]))
        }

        // Inundation in the low parts of the fields.
        var irng = SynthRandom(seed: seed, stream: .inundation, index: UInt64(cell))
        let n = irng.int(0, 5)
        for _ in 0..<n {
            let lx = irng.uniform(x0, -x0), ly = irng.uniform(y0, -y0)
            let c = farm.world(lx, ly)
            let ring = Park.blob(x: c.x, y: c.y, radius: irng.uniform(5, 60), rng: &irng)
            batch.inundation.append(FloodPatch(depth: Park.depth(&irng), ring: ring))
        }
    }

    // MARK: - Natura 2000

    struct Site {
        let name: String
        let code: String
        let parts: [StarShape]
        let vertices: [Int]
        let index: Int

        var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
            var b = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
            for p in parts {
                let r = p.boundRadius
                b.0 = min(b.0, p.cx - r); b.1 = min(b.1, p.cy - r)
                b.2 = max(b.2, p.cx + r); b.3 = max(b.3, p.cy + r)
            }
            return b
        }
    }

    /// The 160 sites: a few fixed large ones (a Wadden-like strip along the north coast, a
    /// coastal strip, a Veluwe-like block, two sites inside the S window), the rest random.
    /// About a million vertices in all.
    func sites() -> [Site] {
        var rng = SynthRandom(seed: seed, stream: .natura2000)
        var names: [String] = []
        for n in Names.natura2000 where !names.contains(n) { names.append(n) }
        var extra = SynthRandom(seed: seed, stream: .names, index: 1)
        var i = 0
        let places = Names.places(count: Self.siteCount, rng: &extra)
        while names.count < Self.siteCount {
            let n = places[i] + (i % 2 == 0 ? "se Heide" : "se Broek")
            if !names.contains(n) { names.append(n) }
            i += 1
        }
        // (name index, x, y, radius, stretchX, stretchY, theta, vertices)
        let fixed: [(Double, Double, Double, Double, Double, Double, Int)] = [
            (165_000, 598_000, 16_000, 4.6, 1.0, 80, 250_000),   // Waddenzee
            (75_000, 500_000, 3_000, 18, 1.0, 25, 80_000),       // Noordzeekustzone
            (185_000, 470_000, 17_000, 1.3, 1.0, 10, 80_000),    // Veluwe
            (112_000, 418_000, 5_000, 1.4, 1.0, 60, 30_000),     // Biesbosch
            (132_000, 470_000, 3_500, 1.5, 1.0, 0, 8_000),       // Oostelijke Vechtplassen (S)
            (150_000, 446_000, 600, 1.2, 1.0, 30, 1_500),        // Kolland & Overlangbroek (S)
        ]
        var out: [Site] = []
        for s in 0..<Self.siteCount {
            var parts: [StarShape] = []
            var counts: [Int] = []
            if s < fixed.count {
                let f = fixed[s]
                var shape = StarShape(cx: f.0, cy: f.1, radius: f.2)
                shape.stretchX = f.3; shape.stretchY = f.4; shape.theta = f.5
                shape.randomize(&rng, count: 24, roughness: 0.45, noise: 0.02)
                parts.append(shape)
                counts.append(f.6)
            } else {
                let u = rng.unit()
                let radius = 600 + 5_400 * u * u
                let cx = rng.uniform(Self.originX, Self.originX + Double(Self.columns) * Self.cellSize)
                let cy = rng.uniform(Self.originY, Self.originY + Double(Self.rows) * Self.cellSize)
                let total = 800 + rng.int(0, 5_540)
                var shape = StarShape(cx: cx, cy: cy, radius: radius)
                shape.stretchX = rng.uniform(1, 2.5)
                shape.theta = rng.uniform(0, 180)
                shape.randomize(&rng, count: 16, roughness: 0.45, noise: 0.03)
                if rng.chance(0.1) {
                    // Two parts, far enough apart not to overlap.
                    var second = shape
                    second.radius = radius * rng.uniform(0.3, 0.6)
                    second.stretchX = rng.uniform(1, 2)
                    let dir = DetMath.sincosDeg(rng.uniform(0, 360))
                    let dist = shape.boundRadius + second.boundRadius + rng.uniform(100, 800)
                    second.cx = cx + dir.sin * dist
                    second.cy = cy + dir.cos * dist
                    second.randomize(&rng, count: 12, roughness: 0.4, noise: 0.03)
                    parts = [shape, second]
                    counts = [total * 2 / 3, total - total * 2 / 3]
                } else {
                    parts = [shape]
                    counts = [total]
                }
            }
            out.append(Site(name: names[s], code: "NL" + Buildings.pad(2_000_000 + s * 37 + 1, 7),
                            parts: parts, vertices: counts, index: s))
        }
        return out
    }

    func writeSites(to writer: LayerWriter) throws {
        let win = Self.window(scale)
        for site in sites() {
            let b = site.bounds
            guard b.maxX >= win.minX, b.minX <= win.maxX, b.maxY >= win.minY, b.minY <= win.maxY else { continue }
            var vrng = SynthRandom(seed: seed, stream: .natura2000, index: UInt64(1000 + site.index))
            var polys: [PolygonRings] = []
            for (k, part) in site.parts.enumerated() {
                polys.append([part.ring(vertices: site.vertices[k], rng: &vrng)])
            }
            try writer.write(SynthFeature([("naam", .string(site.name)), ("sitecode", .string(site.code))],
                                          polygons: polys))
        }
    }

    // MARK: - Pipeline file

    public func pipelineYAML(withHeat: Bool = false, withDepthGrid: Bool = false) -> String {
        // The benchmark keeps the polygons, which all three implementations read (DuckDB
        // reads no rasters); the depth grid is there to run the raster form at scale.
        let depthGrid = withDepthGrid ? """
                # or the same patches as a 5 m depth raster (a sparse GeoTIFF), the raster form:
                #   path: inundation.tif         # with no fields: and no crs: (its own CRS, RD New)

            """ : ""
        let heat = withHeat ? """
              heat:
                path: heat.tif                   # PET (°C), 10 m cells, a sparse GeoTIFF

            """ : ""
        return """
        # Synthetic benchmark data, scale \(scale.rawValue), seed \(seed): made by
        # `terrein synth --scale \(scale.rawValue) --seed \(seed)`. All layers in RD New (EPSG:28992).
        # Paths are relative to this file.
        name: synth-\(scale.rawValue)
        work_crs: EPSG:28992

        layers:
          terreinen:
            path: terreinen.geojson          # FeatureCollection, legacy "crs" member
            fields: {id: id, name: naam, region: gemeente}
          roofs:
            path: roofs.geojsonl             # GeoJSONSeq: one Feature per line
            crs: EPSG:28992
            fields: {slope_deg: helling, azimuth_deg: orientatie, building_id: pand_id}
          natura2000:
            path: natura2000.geojson         # FeatureCollection, legacy "crs" member
            fields: {name: naam}
          landcover:
            path: landcover.geojsonl         # GeoJSONSeq
            crs: EPSG:28992
            fields: {class: klasse}
            classes:
              sealed: [verhard, bebouwd]
              green: [groen, gras]
              water: [water]
          inundation:
            path: inundation.geojsonl        # GeoJSONSeq
            crs: EPSG:28992
            fields: {depth_m: waterdiepte}
        \(depthGrid)\(heat)
        parameters:
          solar:
            flat_max_slope_deg: 10
            min_face_m2: 10
            max_slope_deg: 60
            max_dev_from_south_deg: 90
            kwp_per_m2: 0.2
            usable_fraction_flat: 0.6
            usable_fraction_pitched: 0.8
            specific_yield_kwh_per_kwp: 900
          nature:
            bands_m: [500, 1000]
          water:
            min_depth_m: 0.10
            deep_depth_m: 0.30
            design_storm_mm: 70
            c_sealed: 0.9
            c_unsealed: 0.2
            storage_mm_per_sealed_m2: 60

        outputs:
          directory: out
          formats: [csv]

        """
    }
}
