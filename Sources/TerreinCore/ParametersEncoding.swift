/// The resolved parameters as the manifest records them, under the pipeline file's keys.
/// (Written out by hand: Swift synthesises `encode(to:)` only in the declaring file, and
/// the model lives with the pipeline loader.)

private struct Keys: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Parameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(solar, forKey: Keys("solar"))
        try c.encode(nature, forKey: Keys("nature"))
        try c.encode(water, forKey: Keys("water"))
        try c.encode(heat, forKey: Keys("heat"))
    }
}

extension HeatParameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(strongPetC, forKey: Keys("strong_pet_c"))
        try c.encode(extremePetC, forKey: Keys("extreme_pet_c"))
        try c.encode(exposureFractions, forKey: Keys("exposure_fractions"))
    }
}

extension SolarParameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(flatMaxSlopeDeg, forKey: Keys("flat_max_slope_deg"))
        try c.encode(minFaceM2, forKey: Keys("min_face_m2"))
        try c.encode(maxSlopeDeg, forKey: Keys("max_slope_deg"))
        try c.encode(maxDevFromSouthDeg, forKey: Keys("max_dev_from_south_deg"))
        try c.encode(kwpPerM2, forKey: Keys("kwp_per_m2"))
        try c.encode(usableFractionFlat, forKey: Keys("usable_fraction_flat"))
        try c.encode(usableFractionPitched, forKey: Keys("usable_fraction_pitched"))
        try c.encode(specificYieldKWhPerKWp, forKey: Keys("specific_yield_kwh_per_kwp"))
        try c.encode(yieldFactors, forKey: Keys("yield_factors"))
    }
}

extension YieldFactorTable: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(slopesDeg, forKey: Keys("slopes_deg"))
        try c.encode(deviationsDeg, forKey: Keys("deviations_deg"))
        try c.encode(factors, forKey: Keys("factors"))
    }
}

extension NatureParameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(bandsM, forKey: Keys("bands_m"))
    }
}

extension WaterParameters: Encodable {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(minDepthM, forKey: Keys("min_depth_m"))
        try c.encode(deepDepthM, forKey: Keys("deep_depth_m"))
        try c.encode(designStormMM, forKey: Keys("design_storm_mm"))
        try c.encode(cSealed, forKey: Keys("c_sealed"))
        try c.encode(cUnsealed, forKey: Keys("c_unsealed"))
        try c.encode(storageMMPerSealedM2, forKey: Keys("storage_mm_per_sealed_m2"))
    }
}
