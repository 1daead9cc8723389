// Seeded, platform-independent pseudo-random numbers.
//
// Everything the generators draw comes from `SynthRandom`, a xoshiro256** generator whose
// state is filled by SplitMix64. Both are specified by integer arithmetic only, so a seed
// gives the same stream on every machine and Swift version. Swift's own
// `SystemRandomNumberGenerator` and the `random(in:)` helpers are never used: their
// algorithms are not part of any contract.

/// SplitMix64: used to expand a 64-bit seed into generator state and to derive sub-seeds.
public struct SplitMix64 {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijective 64-bit mixer.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Stream tags: every independent purpose draws from its own stream, so that changing how
/// one layer is drawn does not shift the numbers of another.
enum Stream: UInt64 {
    case terreinSelection = 1
    case terreinShape
    case buildings
    case landcover
    case inundation
    case hamlet
    case farmland
    case gemeenten
    case natura2000
    case names
    case sample
}

/// xoshiro256**: fast, 256 bits of state, good statistical quality for simulation.
public struct SynthRandom {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    /// A generator for (seed, stream, index): depends on nothing else.
    init(seed: UInt64, stream: Stream, index: UInt64 = 0) {
        let a = SplitMix64.mix(seed ^ 0x5EED_7E44_E1A0_0000)
        let b = SplitMix64.mix(a &+ stream.rawValue &* 0x9E37_79B9_7F4A_7C15)
        let c = SplitMix64.mix(b ^ (index &* 0xD1B5_4A32_D192_ED03 &+ 0x2545_F491_4F6C_DD1D))
        self.init(seed: c)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = SynthRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = SynthRandom.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1), 53 bits.
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [lo, hi).
    @inline(__always)
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * unit()
    }

    @inline(__always)
    public mutating func uniform(_ r: ClosedRange<Double>) -> Double {
        uniform(r.lowerBound, r.upperBound)
    }

    /// Uniform integer in lo...hi (multiply-shift; the bias is below 2^-32 for our ranges).
    @inline(__always)
    public mutating func int(_ lo: Int, _ hi: Int) -> Int {
        precondition(hi >= lo)
        let span = UInt64(hi - lo) + 1
        let r = ((next() >> 32) &* span) >> 32
        return lo + Int(r)
    }

    @inline(__always)
    public mutating func int(_ r: ClosedRange<Int>) -> Int { int(r.lowerBound, r.upperBound) }

    /// True with probability p.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index in 0..<weights.count drawn with the given (non-negative) weights.
    public mutating func pick(weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var u = unit() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.count - 1
    }

    /// A deterministic Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ a: inout [T]) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = int(0, i)
            if i != j { a.swapAt(i, j) }
        }
    }
}
