import TerreinGeometry

/// Everything the writers need from a finished computation, in output order.
public struct RunArtifacts {
    public var pipelineName: String
    /// One row per terrein, sorted by id (docs/indicators.md "Formatting").
    public var indicators: Table
    /// One row per region, sorted by region.
    public var regions: Table
    /// The terrein polygons in the work CRS, in the same order as `indicators.rows`.
    public var terreinGeometries: [Geometry]
    /// Natura 2000 sites in the work CRS, simplified for display (empty without the layer).
    public var natura2000Display: [(name: String, geometry: Geometry)]
    /// The work CRS (projected, metres).
    public var workCRS: CRSIdentifier
    /// The language of titles and labels ("nl" or "en").
    public var language: String
    /// Per terrein (same order as `indicators.rows`), its profile's display features; empty
    /// when the run kept none (no report and no GeoPackage).
    public var profileFeatures: [[ProfileFeature]] = []

    public init(pipelineName: String, indicators: Table, regions: Table, terreinGeometries: [Geometry],
                natura2000Display: [(name: String, geometry: Geometry)], workCRS: CRSIdentifier,
                language: String = "nl") {
        self.pipelineName = pipelineName
        self.indicators = indicators
        self.regions = regions
        self.terreinGeometries = terreinGeometries
        self.natura2000Display = natura2000Display
        self.workCRS = workCRS
        self.language = language
    }
}
