// A business park's contents: plots along access roads, one building per plot as roof
// faces, yards and green strips as land cover, ditches and ponds, and inundation patches.

/// One polygon of a terrein, in its own local frame.
struct ParkPart {
    let frame: Frame
    /// Half sizes of the local bounding box [-halfX, halfX] x [-halfY, halfY].
    let halfX: Double
    let halfY: Double
    /// The outline in local coordinates, counter-clockwise.
    let outline: [(Double, Double)]

    var ring: Ring { frame.ring(outline) }

    /// Area in m² (of the unrounded outline).
    var area: Double {
        var s = 0.0
        for i in 0..<outline.count {
            let p = outline[i], q = outline[(i + 1) % outline.count]
            s += p.0 * q.1 - q.0 * p.1
        }
        return s / 2
    }
}

/// Tunables of a park's layout and of the imperfections sprinkled into it.
struct ParkStyle {
    var plotWidth: ClosedRange<Double> = 40...90
    var plotDepth: ClosedRange<Double> = 36...72
    var road: ClosedRange<Double> = 8...14
    var buildProbability = 0.92
    var pitchedShare = 0.22
    var yardProbability = 0.45
    var greenStripProbability = 0.2
    var bebouwdProbability = 0.06
    var onbekendProbability = 0.01
    var inundationPerHa = 0.37
    /// Rates of deliberate defects (national data; the sample places its own).
    var bowtieRate = 0.0
    var missingAzimuthRate = 0.0
    var nullSlopeRate = 0.0
}

struct LandPatch {
    var klasse: String
    var polygon: PolygonRings

    var feature: SynthFeature { SynthFeature([("klasse", .string(klasse))], polygon: polygon) }

    /// The BGT's type of a water polygon: a long thin one is a ditch (waterloop), any other
    /// a pond (watervlakte), by its outer ring's bounding box.
    var bgtWaterType: String {
        let r = polygon[0]
        let xs = stride(from: 0, to: r.count, by: 2).map { r[$0] }, ys = stride(from: 1, to: r.count, by: 2).map { r[$0] }
        let w = Double(xs.max()! - xs.min()!), h = Double(ys.max()! - ys.min()!)
        return max(w, h) > 6 * max(1, min(w, h)) ? "waterloop" : "watervlakte"
    }
}

struct FloodPatch {
    var depth: Double
    var ring: Ring

    var feature: SynthFeature {
        SynthFeature([("waterdiepte", .number(depth, decimals: 2))], polygon: [ring])
    }
}

struct PlacedFace {
    var pandID: String
    var face: RoofFace
    var feature: SynthFeature { Buildings.feature(face, pandID: pandID) }
}

/// What a generator emits for one area before writing it out.
struct Batch {
    var roofs: [PlacedFace] = []
    var landcover: [LandPatch] = []
    var inundation: [FloodPatch] = []
    /// The building footprints, local to a part, for callers that place extra features.
    var buildings: [(pandID: String, part: Int, x0: Double, y0: Double, x1: Double, y1: Double)] = []

    mutating func removeAll() {
        roofs.removeAll(keepingCapacity: true)
        landcover.removeAll(keepingCapacity: true)
        inundation.removeAll(keepingCapacity: true)
        buildings.removeAll(keepingCapacity: true)
    }
}

enum Outline {
    /// Half sizes (a, b) of a rectangle of aspect `aspect` (a/b >= 1) whose area, after a notch
    /// taking `notchFraction` of it, is `area`, and whose half-diagonal is at most `maxRadius`
    /// (the aspect, then the area, give way).
    static func halfSizes(area: Double, aspect: Double, notchFraction: Double,
                          maxRadius: Double) -> (a: Double, b: Double) {
        var p = area / (1 - notchFraction) / 4   // a * b
        var q = aspect
        let s = maxRadius * maxRadius / p
        if q + 1 / q > s {
            if s < 2 { p = maxRadius * maxRadius / 2; q = 1 } else { q = (s + (s * s - 4).squareRoot()) / 2 }
        }
        return ((p * q).squareRoot(), (p / q).squareRoot())
    }

    /// A rectangle [-a, a] x [-b, b], optionally with a rectangular notch at its (+a, +b)
    /// corner, with a few extra vertices pushed in or out by up to `jitter` metres along each
    /// edge. Counter-clockwise; simple as long as jitter is small next to the notch.
    static func blocky(a: Double, b: Double, notch: (Double, Double)?, jitter: Double,
                       rng: inout SynthRandom) -> [(Double, Double)] {
        var base: [(Double, Double)]
        if let (na, nb) = notch {
            base = [(-a, -b), (a, -b), (a, b - nb), (a - na, b - nb), (a - na, b), (-a, b)]
        } else {
            base = [(-a, -b), (a, -b), (a, b), (-a, b)]
        }
        if jitter <= 0 { return base }
        var out: [(Double, Double)] = []
        for i in 0..<base.count {
            let p = base[i], q = base[(i + 1) % base.count]
            out.append(p)
            let k = rng.int(0, 2)
            if k == 0 { continue }
            var ts: [Double] = []
            for _ in 0..<k { ts.append(rng.uniform(0.2, 0.8)) }
            ts.sort()
            let dx = q.0 - p.0, dy = q.1 - p.1
            let len = (dx * dx + dy * dy).squareRoot()
            let nx = dy / len, ny = -dx / len
            for t in ts {
                let off = rng.uniform(-jitter, jitter)
                out.append((p.0 + t * dx + off * nx, p.1 + t * dy + off * ny))
            }
        }
        return out
    }
}

enum Park {
    /// Depth of one inundation patch: some exactly at the 0.10 and 0.30 thresholds, many below.
    static func depth(_ rng: inout SynthRandom) -> Double {
        switch rng.pick(weights: [0.06, 0.06, 0.88]) {
        case 0: return 0.10
        case 1: return 0.30
        default:
            let u = rng.unit()
            return round2(0.01 + 1.2 * u * u)
        }
    }

    /// A small irregular blob (pond, inundation patch) around a world point.
    static func blob(x: Double, y: Double, radius: Double, rng: inout SynthRandom) -> Ring {
        var shape = StarShape(cx: x, cy: y, radius: radius)
        shape.stretchX = rng.uniform(1.0, 2.0)
        shape.theta = rng.uniform(0, 360)
        shape.randomize(&rng, count: 3, roughness: 0.35, noise: 0.03)
        return shape.ring(vertices: rng.int(8, 28), rng: &rng)
    }

    /// Lays out plots, buildings, land cover and inundation over the parts of one terrein.
    static func populate(parts: [ParkPart], style: ParkStyle,
                         buildingRNG: inout SynthRandom, landRNG: inout SynthRandom,
                         floodRNG: inout SynthRandom,
                         nextPandID: () -> String, into batch: inout Batch) {
        for (partIndex, part) in parts.enumerated() {
            layoutPlots(part: part, partIndex: partIndex, style: style, brng: &buildingRNG,
                        lrng: &landRNG, nextPandID: nextPandID, into: &batch)
            waterFeatures(part: part, rng: &landRNG, into: &batch)
            inundation(part: part, style: style, rng: &floodRNG, into: &batch)
        }
    }

    private static func layoutPlots(part: ParkPart, partIndex: Int, style: ParkStyle,
                                    brng: inout SynthRandom, lrng: inout SynthRandom,
                                    nextPandID: () -> String, into batch: inout Batch) {
        let f = part.frame
        let a = part.halfX, b = part.halfY
        let pw = brng.uniform(style.plotWidth)
        let pd = brng.uniform(style.plotDepth)
        let rw = brng.uniform(style.road)
        var y = -b
        var rowsSinceRoad = 2
        while y < b - 10 {
            if rowsSinceRoad == 2 {
                // The road runs over the stretch of its centre line that lies in the terrein
                // (sampled), a little beyond at both ends.
                let ym = y + rw / 2
                let steps = 32
                var first = -1, last = -1
                for k in 0...steps where pointInRing(-a + 2 * a * Double(k) / Double(steps), ym, part.outline) {
                    if first < 0 { first = k }
                    last = k
                }
                if first >= 0 {
                    let step = 2 * a / Double(steps)
                    let rx0 = max(-a, -a + Double(first) * step - step / 2)
                    let rx1 = min(a, -a + Double(last) * step + step / 2)
                    batch.landcover.append(LandPatch(klasse: "verhard", polygon: [f.rect(rx0, y, rx1, min(y + rw, b))]))
                }
                y += rw
                rowsSinceRoad = 0
                continue
            }
            let top = min(y + pd, b)
            if top - y < pd * 0.6 { break }
            let frontBottom = rowsSinceRoad == 0
            var x = -a
            while x + pw * 0.6 < a {
                let x1 = min(x + pw, a)
                plot(part: part, partIndex: partIndex, x0: x, y0: y, x1: x1, y1: top,
                     frontBottom: frontBottom, style: style, brng: &brng, lrng: &lrng,
                     nextPandID: nextPandID, into: &batch)
                x = x1
            }
            y = top
            rowsSinceRoad += 1
        }
    }

    private static func plot(part: ParkPart, partIndex: Int, x0: Double, y0: Double, x1: Double, y1: Double,
                             frontBottom: Bool, style: ParkStyle,
                             brng: inout SynthRandom, lrng: inout SynthRandom,
                             nextPandID: () -> String, into batch: inout Batch) {
        let f = part.frame
        guard pointInRing((x0 + x1) / 2, (y0 + y1) / 2, part.outline) else { return }
        let w = x1 - x0, d = y1 - y0
        if !brng.chance(style.buildProbability) {
            let k = ["gras", "groen", "verhard"][lrng.pick(weights: [0.5, 0.2, 0.3])]
            batch.landcover.append(LandPatch(klasse: k, polygon: [f.rect(x0, y0, x1, y1)]))
            return
        }
        let kind = Buildings.parkKind(pitchedShare: style.pitchedShare, rng: &brng)
        let side = max(2, w * brng.uniform(0.04, 0.12))
        let front = max(5, d * brng.uniform(0.12, 0.3))
        let back = max(2, d * brng.uniform(0.04, 0.2))
        var bx0 = x0 + side, bx1 = x1 - side
        var by0 = frontBottom ? y0 + front : y0 + back
        var by1 = frontBottom ? y1 - back : y1 - front
        if Buildings.isPitched(kind) {
            // Pitched buildings are smaller: offices, showrooms, old sheds.
            let maxW = brng.uniform(14, 40), maxD = brng.uniform(10, 24)
            if bx1 - bx0 > maxW {
                let c = (bx0 + bx1) / 2
                bx0 = c - maxW / 2; bx1 = c + maxW / 2
            }
            if by1 - by0 > maxD {
                if frontBottom { by1 = by0 + maxD } else { by0 = by1 - maxD }
            }
        }
        guard bx1 - bx0 >= 4, by1 - by0 >= 4 else { return }
        let pand = nextPandID()
        var faces = Buildings.faces(frame: f, x0: bx0, y0: by0, x1: bx1, y1: by1, kind: kind, rng: &brng)
        for i in faces.indices {
            if style.nullSlopeRate > 0, brng.chance(style.nullSlopeRate) { faces[i].slope = nil }
            if style.missingAzimuthRate > 0, let s = faces[i].slope, s > 10,
               brng.chance(style.missingAzimuthRate) {
                faces[i].azimuth = nil
            }
            batch.roofs.append(PlacedFace(pandID: pand, face: faces[i]))
        }
        batch.buildings.append((pand, partIndex, bx0, by0, bx1, by1))

        // Land cover of the plot: yard around the building (the footprint as a hole), a green
        // strip behind it, sometimes the footprint itself as `bebouwd`.
        var yy0 = y0, yy1 = y1
        let backGap = frontBottom ? y1 - by1 : by0 - y0
        if backGap >= 6, lrng.chance(style.greenStripProbability) {
            let k = lrng.chance(0.5) ? "groen" : "gras"
            if frontBottom {
                batch.landcover.append(LandPatch(klasse: k, polygon: [f.rect(x0, by1 + 1.5, x1, y1)]))
                yy1 = by1 + 1.5
            } else {
                batch.landcover.append(LandPatch(klasse: k, polygon: [f.rect(x0, y0, x1, by0 - 1.5)]))
                yy0 = by0 - 1.5
            }
        }
        if lrng.chance(style.yardProbability) {
            let k = lrng.chance(style.onbekendProbability) ? "onbekend" : "verhard"
            if style.bowtieRate > 0, lrng.chance(style.bowtieRate) {
                // A self-intersecting export error: two corners in the wrong order.
                batch.landcover.append(LandPatch(klasse: k, polygon: [f.ring([(x0, yy0), (x1, yy0), (x0, yy1), (x1, yy1)])]))
            } else {
                batch.landcover.append(LandPatch(klasse: k, polygon: [f.rect(x0, yy0, x1, yy1), f.rectCW(bx0, by0, bx1, by1)]))
            }
        }
        if lrng.chance(style.bebouwdProbability) {
            batch.landcover.append(LandPatch(klasse: "bebouwd", polygon: [f.rect(bx0, by0, bx1, by1)]))
        }
    }

    private static func waterFeatures(part: ParkPart, rng: inout SynthRandom, into batch: inout Batch) {
        let f = part.frame
        let a = part.halfX, b = part.halfY
        if rng.chance(0.7) {
            let w = rng.uniform(3, 6)
            batch.landcover.append(LandPatch(klasse: "water", polygon: [f.rect(-a, -b - 1.5 - w, a, -b - 1.5)]))
        }
        if rng.chance(0.4) {
            let w = rng.uniform(3, 6)
            batch.landcover.append(LandPatch(klasse: "water", polygon: [f.rect(-a - 1.5 - w, -b, -a - 1.5, b)]))
        }
        if rng.chance(0.3) {
            let lx = rng.uniform(-a * 0.8, a * 0.8), ly = rng.uniform(-b * 0.8, b * 0.8)
            let c = f.world(lx, ly)
            batch.landcover.append(LandPatch(klasse: "water", polygon: [blob(x: c.x, y: c.y, radius: rng.uniform(8, 25), rng: &rng)]))
        }
    }

    private static func inundation(part: ParkPart, style: ParkStyle, rng: inout SynthRandom, into batch: inout Batch) {
        let f = part.frame
        let ha = part.area / 10_000
        let n = Int((ha * style.inundationPerHa * rng.uniform(0.5, 1.5)).rounded())
        for _ in 0..<n {
            var lx = 0.0, ly = 0.0
            for _ in 0..<5 {
                lx = rng.uniform(-part.halfX, part.halfX)
                ly = rng.uniform(-part.halfY, part.halfY)
                if pointInRing(lx, ly, part.outline) { break }
            }
            let c = f.world(lx, ly)
            let u = rng.unit()
            let ring = blob(x: c.x, y: c.y, radius: 4 + 36 * u * u, rng: &rng)
            batch.inundation.append(FloodPatch(depth: depth(&rng), ring: ring))
        }
    }
}
