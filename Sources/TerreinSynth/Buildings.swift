// Buildings as roof faces: the 2D projection of each face with its slope and azimuth, as a
// 3DBAG-style LoD2 roof layer gives them. Faces of one building share their edges exactly
// (the same millimetre vertices), and every azimuth is the true downhill direction of its
// face in the generated geometry.

/// One roof face as written to the roofs layer.
struct RoofFace {
    var ring: Ring
    /// `nil` writes `"helling": null`.
    var slope: Double?
    /// `nil` leaves `orientatie` out.
    var azimuth: Double?
}

enum RoofKind {
    case flat(sections: Int)
    case gable
    case hip
    case shed
}

/// Rounds to one decimal, as the roofs layer prints slope and azimuth.
@inline(__always)
func round1(_ v: Double) -> Double { (v * 10).rounded() / 10 }

@inline(__always)
func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }

enum Buildings {
    /// The faces of a building whose footprint is the local rectangle [x0, x1] x [y0, y1].
    static func faces(frame: Frame, x0: Double, y0: Double, x1: Double, y1: Double,
                      kind requested: RoofKind, rng: inout SynthRandom) -> [RoofFace] {
        let mx = (x0 + x1) / 2, my = (y0 + y1) / 2
        let alongX = (x1 - x0) >= (y1 - y0)
        let len = alongX ? x1 - x0 : y1 - y0      // along the ridge
        let wid = alongX ? y1 - y0 : x1 - x0      // across
        let rot = alongX ? 0 : 1
        // Building-local (p along the ridge, q across) to a millimetre vertex.
        func pt(_ p: Double, _ q: Double) -> (Int64, Int64) {
            let lx = alongX ? mx + p : mx - q
            let ly = alongX ? my + q : my + p
            let w = frame.world(lx, ly)
            return (toMM(w.x), toMM(w.y))
        }
        func ring(_ pts: [(Int64, Int64)]) -> Ring {
            var r = Ring()
            r.reserveCapacity(pts.count * 2)
            for p in pts { r.append(p.0); r.append(p.1) }
            return r
        }
        // Compass azimuth of building-local direction j (0 +p, 1 +q, 2 -p, 3 -q).
        func az(_ j: Int) -> Double { round1(frame.azimuth(direction: (j + rot) & 3)) }

        var kind = requested
        if case .hip = kind, len < 1.25 * wid { kind = .gable }
        let hl = len / 2, hw = wid / 2
        switch kind {
        case .flat(let sections):
            let k = max(1, sections)
            var cuts: [Double] = [-hl]
            for i in 1..<k {
                let base = -hl + len * Double(i) / Double(k)
                cuts.append(base + len / Double(k) * rng.uniform(-0.2, 0.2))
            }
            cuts.append(hl)
            let bottom = cuts.map { pt($0, -hw) }
            let top = cuts.map { pt($0, hw) }
            var out: [RoofFace] = []
            for i in 0..<k {
                let slope = rng.chance(0.3) ? 0.0 : round1(rng.uniform(0.3, 5.0))
                let azimuth: Double? = rng.chance(0.7) ? az(rng.int(0, 3)) : nil
                out.append(RoofFace(ring: ring([bottom[i], bottom[i + 1], top[i + 1], top[i]]),
                                    slope: slope, azimuth: azimuth))
            }
            return out
        case .gable:
            let slope = round1(rng.uniform(18, 50))
            let a = pt(-hl, -hw), b = pt(hl, -hw), c = pt(hl, hw), d = pt(-hl, hw)
            let r1 = pt(-hl, 0), r2 = pt(hl, 0)
            return [
                RoofFace(ring: ring([a, b, r2, r1]), slope: slope, azimuth: az(3)),
                RoofFace(ring: ring([r1, r2, c, d]), slope: slope, azimuth: az(1)),
            ]
        case .hip:
            let slope = round1(rng.uniform(18, 45))
            let a = pt(-hl, -hw), b = pt(hl, -hw), c = pt(hl, hw), d = pt(-hl, hw)
            let r1 = pt(-hl + hw, 0), r2 = pt(hl - hw, 0)
            return [
                RoofFace(ring: ring([a, b, r2, r1]), slope: slope, azimuth: az(3)),
                RoofFace(ring: ring([r1, r2, c, d]), slope: slope, azimuth: az(1)),
                RoofFace(ring: ring([b, c, r2]), slope: slope, azimuth: az(0)),
                RoofFace(ring: ring([d, a, r1]), slope: slope, azimuth: az(2)),
            ]
        case .shed:
            let slope = round1(rng.uniform(6, 20))
            let a = pt(-hl, -hw), b = pt(hl, -hw), c = pt(hl, hw), d = pt(-hl, hw)
            return [RoofFace(ring: ring([a, b, c, d]), slope: slope, azimuth: az(rng.int(0, 3)))]
        }
    }

    /// A roof kind for a business-park building.
    static func parkKind(pitchedShare: Double, rng: inout SynthRandom) -> RoofKind {
        if rng.chance(pitchedShare) {
            switch rng.pick(weights: [0.5, 0.25, 0.25]) {
            case 0: return .gable
            case 1: return .hip
            default: return .shed
            }
        }
        switch rng.pick(weights: [0.55, 0.3, 0.15]) {
        case 0: return .flat(sections: 1)
        case 1: return .flat(sections: 2)
        default: return .flat(sections: 3)
        }
    }

    /// A roof kind for a house.
    static func houseKind(rng: inout SynthRandom) -> RoofKind {
        switch rng.pick(weights: [0.6, 0.2, 0.1, 0.1]) {
        case 0: return .gable
        case 1: return .hip
        case 2: return .flat(sections: 1)
        default: return .shed
        }
    }

    static func isPitched(_ kind: RoofKind) -> Bool {
        if case .flat = kind { return false }
        return true
    }

    /// The roofs-layer feature of one face.
    static func feature(_ face: RoofFace, pandID: String) -> SynthFeature {
        var props: [(String, PropertyValue)] = [("pand_id", .string(pandID))]
        props.append(("helling", face.slope.map { .number($0, decimals: 1) } ?? .null))
        if let a = face.azimuth { props.append(("orientatie", .number(a, decimals: 1))) }
        return SynthFeature(props, polygon: [face.ring])
    }

    /// A BAG-style building id: "NL.IMBAG.Pand." + 4-digit municipality code + "10" + 10 digits.
    static func pandID(municipality: Int, serial: Int) -> String {
        "NL.IMBAG.Pand." + pad(municipality, 4) + "10" + pad(serial, 10)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
