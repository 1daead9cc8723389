import Foundation
import TerreinGeometry

/// The report's language: Dutch by default, English on request.
public enum ReportLanguage: String, Sendable, CaseIterable {
    case nl, en
}

/// What the report shows, independent of where it came from: a finished run
/// (`init(_:)`) or an output directory (`load(outputDirectory:)`).
public struct ReportData {
    public var pipelineName: String
    /// One row per terrein, as in `indicators.csv`.
    public var indicators: Table
    /// One row per region, as in `regions.csv`.
    public var regions: Table
    /// Per terrein, in row order: polygons → rings → interleaved x,y in `mapCRS` (metres,
    /// x east, y north). An empty array for a terrein without geometry.
    public var terreinRings: [[[[Double]]]]
    /// The Natura 2000 sites for display (empty when unknown).
    public var natura2000: [(name: String, rings: [[[Double]]])]
    /// The projected CRS of the map coordinates.
    public var mapCRS: CRSIdentifier
    /// Per terrein, in row order, what its profile draws (roof faces by solar class,
    /// flooded and heat areas, the distance line); empty when the source keeps none.
    public var profiles: [[ProfileShape]] = []
    /// Per terrein id, its values in past runs (from the run history), for the profiles'
    /// trend sections; empty: the profiles say that there is no history.
    public var trends: [String: [ReportTrendPoint]] = [:]

    public init(pipelineName: String, indicators: Table, regions: Table, terreinRings: [[[[Double]]]],
                natura2000: [(name: String, rings: [[[Double]]])], mapCRS: CRSIdentifier) {
        self.pipelineName = pipelineName
        self.indicators = indicators
        self.regions = regions
        self.terreinRings = terreinRings
        self.natura2000 = natura2000
        self.mapCRS = mapCRS
    }

    /// The report of a finished run, map in the work CRS.
    public init(_ a: RunArtifacts, trends: [String: [ReportTrendPoint]] = [:]) throws {
        self.init(pipelineName: a.pipelineName, indicators: a.indicators, regions: a.regions,
                  terreinRings: try a.terreinGeometries.map { try $0.polygonRings() },
                  natura2000: try a.natura2000Display.map { ($0.name, try $0.geometry.polygonRings()) },
                  mapCRS: a.workCRS)
        profiles = try a.profileFeatures.map { try $0.map(ProfileShape.init) }
        self.trends = trends
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
