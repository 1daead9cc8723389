// Deterministic trigonometry.
//
// libm's sin and cos may differ in the last bit between C libraries (glibc, Darwin, musl),
// and a last-bit difference can flip a coordinate's rounding to the millimetre. The generators
// therefore use these versions, built from IEEE-754 basic operations only (+, -, *, /,
// rounding), which are exactly specified and give identical results everywhere.

enum DetMath {
    static let pi = 3.141592653589793
    private static let twoOverPi = 0.6366197723675814
    // pi/2 split in a high part with trailing zero bits and a low correction.
    private static let pio2Hi = 1.5707963267341256      // 0x3FF921FB54400000
    private static let pio2Lo = 6.077100506506192e-11   // pi/2 - pio2Hi

    /// (sin x, cos x) for x in radians; accurate to ~1e-15 for |x| up to a few thousand.
    static func sincos(_ x: Double) -> (sin: Double, cos: Double) {
        let k = (x * twoOverPi).rounded()
        let r = (x - k * pio2Hi) - k * pio2Lo
        let r2 = r * r
        // Taylor series on |r| <= pi/4: remainder below 3e-14 (sin) and 2e-15 (cos).
        let s = r + r * r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0
            + r2 * (1.0 / 362880.0 + r2 * (-1.0 / 39916800.0 + r2 * (1.0 / 6227020800.0))))))
        let c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0
            + r2 * (-1.0 / 3628800.0 + r2 * (1.0 / 479001600.0 + r2 * (-1.0 / 87178291200.0)))))))
        let q = Int(k) & 3
        switch q {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    /// (sin, cos) of an angle in degrees, reduced exactly to [0, 360) first.
    static func sincosDeg(_ deg: Double) -> (sin: Double, cos: Double) {
        let d = normalizeDeg(deg)
        return sincos(d * (pi / 180.0))
    }

    /// The angle in [0, 360).
    static func normalizeDeg(_ deg: Double) -> Double {
        var d = deg - 360.0 * (deg / 360.0).rounded(.down)
        if d >= 360.0 { d -= 360.0 }
        if d < 0 { d += 360.0 }
        return d
    }
}
