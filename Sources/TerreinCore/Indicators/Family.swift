import Foundation
import TerreinGeometry
import TerreinIO

/// One indicator family (docs/indicators.md): the columns it adds to the tables, the
/// unrounded accumulators it keeps, and its computation for one terrein.
///
/// A family is the only place that knows its columns' names. Adding one is a new file
/// with a type conforming to this protocol and an entry in `IndicatorFamilies.standard`;
/// the tables, region rules, writers, report and diff follow from its `columns`.
public protocol IndicatorFamily: Sendable {
    /// The type of `FamilyOutput.detail` this family produces. Codable, so that a result can be
    /// stored and read back exactly (`ResultRecord`: the incremental cache, shard outputs).
    associatedtype Detail: Codable & Sendable = NoDetail
    /// Short name, used in the manifest's CPU profile ("solar").
    var name: String { get }
    /// The family's columns in table order, for the run's parameters.
    func columns(_ p: Parameters) -> [ColumnSchema]
    /// The unrounded values the family keeps beside its columns (default: none).
    func accumulators(_ p: Parameters) -> [AccumulatorSchema]
    /// The family's values for one terrein: one cell per column (`.null` for region-only
    /// columns), one value per accumulator.
    func compute(_ t: TerreinContext) throws -> FamilyOutput
    /// The schema of a column by name, also for names that depend on parameters (for
    /// readers of a finished output folder); default: looked up in `columns(Parameters())`.
    func column(named name: String) -> ColumnSchema?
}

extension IndicatorFamily {
    public func accumulators(_ p: Parameters) -> [AccumulatorSchema] { [] }
    public func column(named name: String) -> ColumnSchema? {
        columns(Parameters()).first { $0.name == name }
    }
}

/// The detail of a family that keeps none.
public struct NoDetail: Codable, Sendable, Equatable {}

/// What one family computed for one terrein.
public struct FamilyOutput: @unchecked Sendable {
    /// One value per column, unrounded (the writers round).
    public var cells: [Cell]
    /// One value per accumulator (nil: none for this terrein).
    public var accumulators: [Double?]
    /// The family's own result, for its typed accessor (tests, the manifest). Immutable
    /// value types only, hence the unchecked Sendable.
    public var detail: Any?
    /// What the terrein's profile draws for this family (only when the context collects it).
    public var display: [ProfileFeature] = []
    public init(cells: [Cell], accumulators: [Double?] = [], detail: Any? = nil, display: [ProfileFeature] = []) {
        self.cells = cells
        self.accumulators = accumulators
        self.detail = detail
        self.display = display
    }
}

/// One terrein while the families compute it: the terrein, the run's indexed layers and
/// parameters, and what families share (the roof faces clipped to the terrein, the sealed
/// region), each computed once on first use. Used by one thread at a time.
public final class TerreinContext {
    let frame: TerreinFrame
    let indexed: IndexedLayers
    public let parameters: Parameters
    /// Whether families also return their profile display features (`FamilyOutput.display`):
    /// only when the run writes the report or the GeoPackage.
    public let collectDisplay: Bool
    private var memo: [String: Any] = [:]

    init(frame: TerreinFrame, indexed: IndexedLayers, parameters: Parameters, collectDisplay: Bool = false) {
        self.frame = frame
        self.indexed = indexed
        self.parameters = parameters
        self.collectDisplay = collectDisplay
    }

    public var terrein: Terrein { frame.terrein }
    var layers: LoadedLayers { indexed.layers }
    /// area(T), m².
    public var area: Double { frame.area }

    /// A value shared between families, computed on first use.
    func shared<T>(_ key: String, _ make: () throws -> T) rethrows -> T {
        if let v = memo[key] as? T { return v }
        let v = try make()
        memo[key] = v
        return v
    }

    /// The roof faces counting in T (area of r ∩ T > 1e-6 m²), in feature order.
    func roofPieces() throws -> [ClippedPiece] {
        try shared("roofPieces") { try frame.clip(indexed.roofs, minArea: 1e-6) }
    }
}

/// A fraction of the terrein's area; 0 for a terrein of no area, null when the part is.
func fractionCell(_ part: Double?, of area: Double) -> Cell {
    guard let part else { return .null }
    return .real(area > 0 ? part / area : 0)
}

func optionalCell(_ v: Double?) -> Cell { v.map(Cell.real) ?? .null }
func optionalCell(_ v: String?) -> Cell { v.map(Cell.text) ?? .null }

/// The families of a run, in table order.
public enum IndicatorFamilies {
    public static let standard: [any IndicatorFamily] = [
        TerreinBasics(), SolarFamily(), NatureFamily(), PavedFamily(), WaterFamily(), HeatFamily(),
    ]

    /// Every column these families can produce, by name, for readers of output folders.
    public static func catalog(_ families: [any IndicatorFamily] = standard) -> ColumnCatalog {
        ColumnCatalog { name in
            for f in families { if let c = f.column(named: name) { return c } }
            return nil
        }
    }
}
