// Small planar helpers for the generators: local frames, rings in millimetres, shapes.

/// Metres to integer millimetres, rounding half away from zero.
@inline(__always)
func toMM(_ metres: Double) -> Int64 { Int64((metres * 1000.0).rounded()) }

/// A local Cartesian frame on the RD plane: origin (cx, cy) in metres, local +x pointing to
/// compass azimuth `theta` (degrees clockwise from north), local +y 90° counter-clockwise
/// from it. A rotation, so orientation (counter-clockwise rings) is preserved.
struct Frame {
    let cx: Double, cy: Double
    let theta: Double
    let ux: Double, uy: Double

    init(cx: Double, cy: Double, theta: Double) {
        self.cx = cx
        self.cy = cy
        self.theta = DetMath.normalizeDeg(theta)
        let sc = DetMath.sincosDeg(theta)
        ux = sc.sin   // east component of local +x
        uy = sc.cos   // north component of local +x
    }

    @inline(__always)
    func world(_ lx: Double, _ ly: Double) -> (x: Double, y: Double) {
        (cx + lx * ux - ly * uy, cy + lx * uy + ly * ux)
    }

    /// Appends the local point, in world millimetres, to a ring.
    @inline(__always)
    func append(_ lx: Double, _ ly: Double, to ring: inout Ring) {
        let w = world(lx, ly)
        ring.append(toMM(w.x))
        ring.append(toMM(w.y))
    }

    func ring(_ pts: [(Double, Double)]) -> Ring {
        var r = Ring()
        r.reserveCapacity(pts.count * 2)
        for p in pts { append(p.0, p.1, to: &r) }
        return r
    }

    /// Counter-clockwise ring of the local rectangle [x0, x1] x [y0, y1].
    func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Ring {
        ring([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    }

    /// Clockwise ring of the rectangle (a hole, in RFC 7946 orientation).
    func rectCW(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Ring {
        ring([(x0, y0), (x0, y1), (x1, y1), (x1, y0)])
    }

    /// Compass azimuth of local direction k: 0 = +x, 1 = +y, 2 = -x, 3 = -y.
    func azimuth(direction k: Int) -> Double {
        DetMath.normalizeDeg(theta - 90.0 * Double(k & 3))
    }
}

/// Even-odd point-in-polygon for a ring of (x, y) pairs (not closed).
func pointInRing(_ px: Double, _ py: Double, _ ring: [(Double, Double)]) -> Bool {
    var inside = false
    var j = ring.count - 1
    for i in 0..<ring.count {
        let (xi, yi) = ring[i], (xj, yj) = ring[j]
        if (yi > py) != (yj > py) {
            let x = xi + (py - yi) / (yj - yi) * (xj - xi)
            if px < x { inside.toggle() }
        }
        j = i
    }
    return inside
}

/// Signed area (shoelace) of a millimetre ring, in m²; positive when counter-clockwise.
func signedAreaM2(_ ring: Ring) -> Double {
    let n = ring.count / 2
    var s = 0.0
    for i in 0..<n {
        let j = (i + 1) % n
        s += Double(ring[2 * i]) * Double(ring[2 * j + 1]) - Double(ring[2 * j]) * Double(ring[2 * i + 1])
    }
    return s / 2.0 / 1_000_000.0
}

/// A ring in metres as (x, y) pairs.
func ringPoints(_ ring: Ring) -> [(Double, Double)] {
    var pts: [(Double, Double)] = []
    pts.reserveCapacity(ring.count / 2)
    for i in stride(from: 0, to: ring.count, by: 2) {
        pts.append((Double(ring[i]) / 1000.0, Double(ring[i + 1]) / 1000.0))
    }
    return pts
}

/// Distance from point p to segment ab.
func pointSegmentDistance(_ p: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
    let dx = b.0 - a.0, dy = b.1 - a.1
    let len2 = dx * dx + dy * dy
    var t = len2 > 0 ? ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2 : 0
    if t < 0 { t = 0 } else if t > 1 { t = 1 }
    let qx = a.0 + t * dx - p.0, qy = a.1 + t * dy - p.1
    return (qx * qx + qy * qy).squareRoot()
}

/// Minimum distance between the boundaries of two rings (metres); equals the polygon distance
/// when neither contains or crosses the other.
func ringDistance(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> Double {
    var best = Double.infinity
    for p in a {
        for j in 0..<b.count {
            let d = pointSegmentDistance(p, b[j], b[(j + 1) % b.count])
            if d < best { best = d }
        }
    }
    for p in b {
        for j in 0..<a.count {
            let d = pointSegmentDistance(p, a[j], a[(j + 1) % a.count])
            if d < best { best = d }
        }
    }
    return best
}

/// A star-shaped outline: a radius that varies with angle by a few harmonics plus a smooth
/// random walk, stretched and rotated. Star-shaped around its centre with a positive radius,
/// so the ring is always simple, however many vertices it has.
struct StarShape {
    var cx: Double
    var cy: Double
    var radius: Double
    var stretchX = 1.0
    var stretchY = 1.0
    var theta = 0.0            // compass direction of the stretched x axis
    var harmonics: [(amplitude: Double, phase: Double)] = []
    var noise = 0.0            // amplitude of the random walk, relative (<= 0.06)

    /// Random harmonics with total amplitude `roughness` (<= 0.5).
    mutating func randomize(_ rng: inout SynthRandom, count: Int, roughness: Double, noise: Double) {
        var amps: [Double] = []
        var total = 0.0
        for k in 1...count {
            let a = rng.uniform(0.3, 1.0) / Double(k).squareRoot() / Double(k).squareRoot().squareRoot()
            amps.append(a)
            total += a
        }
        harmonics = amps.map { a in (a / total * roughness, rng.uniform(0, 2 * DetMath.pi)) }
        self.noise = noise
    }

    private var amplitudeSum: Double { harmonics.reduce(0) { $0 + $1.amplitude } }

    /// An upper bound of the distance from the centre to any vertex.
    var boundRadius: Double {
        radius * (1 + amplitudeSum) * (1 + noise * 4.5) * max(stretchX, stretchY)
    }

    func ring(vertices n: Int, rng: inout SynthRandom) -> Ring {
        precondition(n >= 3)
        let frame = Frame(cx: cx, cy: cy, theta: theta)
        let step = 2 * DetMath.pi / Double(n)
        // Each harmonic's (cos, sin) of (k t + phase) advanced by a rotation per vertex.
        var hc: [Double] = [], hs: [Double] = [], rc: [Double] = [], rs: [Double] = []
        for (k, h) in harmonics.enumerated() {
            let p = DetMath.sincos(h.phase)
            hc.append(p.cos); hs.append(p.sin)
            let r = DetMath.sincos(step * Double(k + 1))
            rc.append(r.cos); rs.append(r.sin)
        }
        var walk = 0.0
        var ring = Ring()
        ring.reserveCapacity(2 * n)
        for i in 0..<n {
            var f = 1.0
            for k in 0..<hc.count {
                f += harmonics[k].amplitude * hc[k]
                let c = hc[k] * rc[k] - hs[k] * rs[k]
                let s = hs[k] * rc[k] + hc[k] * rs[k]
                hc[k] = c; hs[k] = s
            }
            walk = 0.9 * walk + 0.44 * (2 * rng.unit() - 1)
            let r = radius * f * (1 + noise * walk)
            let t = DetMath.sincos(step * Double(i))
            // Local +x is the stretched axis; counter-clockwise in local coordinates.
            frame.append(r * t.cos * stretchX, r * t.sin * stretchY, to: &ring)
        }
        return ring
    }
}
