/// The indicator schema: a typed description of every output column.
///
/// Each indicator family (TerreinCore/Indicators) declares its own columns with these
/// types, next to its computation. The writers (CSV, GeoJSON, GeoPackage, report), the
/// region table and `terrein diff` read what they need from here: how a column prints,
/// its unit and labels, whether the CSV formula guard applies, whether and how the report
/// colours the map by it, and how its region value is formed. Nothing outside a family
/// knows a column's name.

/// A text in the report's languages.
public struct LocalizedText: Sendable, Equatable {
    public var nl: String
    public var en: String
    public init(nl: String, en: String) {
        self.nl = nl
        self.en = en
    }
    public func text(_ language: String) -> String { language == "en" ? en : nl }
}

/// What kind of value a column holds (docs/indicators.md, "Formatting").
public enum IndicatorKind: Sendable, Equatable {
    /// A measured or derived quantity, printed with N decimals.
    case number(decimals: Int)
    /// A whole number of things.
    case count
    case boolean
    /// Free text (ids, names).
    case text
    /// One of a fixed set of class labels, in increasing order.
    case classLabel([String])

    /// How the value prints in the tables.
    public var columnKind: ColumnKind {
        switch self {
        case .number(let d): return .real(decimals: d)
        case .count: return .integer
        case .boolean: return .boolean
        case .text, .classLabel: return .text
        }
    }
}

/// Thresholds that turn a number into a class label: the value gets the first label
/// whose upper threshold it stays below, the last label otherwise.
public struct ClassScale: Sendable, Equatable {
    /// Strictly increasing thresholds, one fewer than `labels`.
    public var thresholds: [Double]
    public var labels: [String]
    public init(thresholds: [Double], labels: [String]) {
        precondition(labels.count == thresholds.count + 1, "a class scale needs one label more than thresholds")
        self.thresholds = thresholds
        self.labels = labels
    }
    public func label(for value: Double) -> String {
        for (i, t) in thresholds.enumerated() where value < t { return labels[i] }
        return labels[labels.count - 1]
    }
}

/// How the report may colour the map by a column.
public struct MapRole: Sendable, Equatable {
    public enum Breaks: Sendable, Equatable {
        /// Class breaks at the quintiles of the run's values.
        case quantiles
        /// Fixed, increasing class breaks.
        case fixed([Double])
    }
    /// Five colours, in the order of increasing values.
    public var palette: [String]
    public var breaks: Breaks
    /// Legend values shown as percentages (the column is a fraction).
    public var percent: Bool
    /// Legend values followed by the column's unit.
    public var unitInLegend: Bool
    /// Position in the report's indicator menu (lower first; ties in column order).
    public var menuOrder: Int
    public init(palette: [String], breaks: Breaks, percent: Bool = false, unitInLegend: Bool = false, menuOrder: Int) {
        self.palette = palette
        self.breaks = breaks
        self.percent = percent
        self.unitInLegend = unitInLegend
        self.menuOrder = menuOrder
    }
}

/// A top-10 bar chart of the report, titled with the column's label.
public struct ChartRole: Sendable, Equatable {
    /// The bars' colour.
    public var color: String
    public init(color: String) { self.color = color }
}

/// How a column's value for a region is formed from its terreinen
/// (docs/indicators.md, "Per region"). Terreinen are taken in id order; a column that is
/// null for every terrein of a region is null for that region.
public enum RegionRule: Sendable, Equatable {
    /// Not in the region table (ids, names, the nearest site).
    case none
    /// The region's name: the grouping key.
    case key
    /// The number of terreinen in the region (a region-only column).
    case memberCount
    /// Σ over the terreinen with a value.
    case sum
    /// The minimum over the terreinen with a value.
    case min
    /// The number of terreinen for which this boolean column is true.
    case countTrue
    /// Σ numerator / Σ denominator (0 when the denominator sums to 0), recomputed from the
    /// unrounded sums of two columns or accumulators; null when the numerator is null for
    /// every terrein.
    case ratio(numerator: String, denominator: String)
    /// Σ values / Σ cells over the terreinen with cells: a mean weighted by cell count,
    /// from two unrounded accumulators; null when no terrein has a cell.
    case cellWeightedMean(sum: String, cells: String)
    /// The class of the region's own value of another column, by this column's scale.
    case classOf(String)
}

/// What a column is to the writers that must find it without knowing its name.
public enum ColumnRole: Sendable, Equatable {
    /// The terrein's identifier: the GeoJSON feature id, the key `terrein diff` matches on.
    case identifier
    /// The terrein's display name, shown after the id on the map and in charts.
    case label
    /// The region a terrein belongs to; the region table's key.
    case grouping
}

/// One output column.
public struct ColumnSchema: Sendable, Equatable {
    public var name: String
    /// The family that declares it ("terrein", "solar", ...).
    public var family: String
    public var kind: IndicatorKind
    /// The unit, e.g. "m²", "kWp", "MWh/jaar"; nil for counts, fractions (as "1") and text.
    public var unit: String?
    /// Whether the CSV's spreadsheet formula guard applies (free text only).
    public var formulaGuard: Bool
    public var label: LocalizedText
    public var description: LocalizedText
    public var mapRole: MapRole?
    public var chart: ChartRole?
    public var regionRule: RegionRule
    /// For `.classLabel` columns: the scale that classifies (per terrein and per region).
    public var classScale: ClassScale?
    /// What the column is to the writers, if anything special.
    public var role: ColumnRole?

    public init(_ name: String, family: String, kind: IndicatorKind, unit: String? = nil, formulaGuard: Bool = false,
                label: LocalizedText, description: LocalizedText, mapRole: MapRole? = nil,
                chart: ChartRole? = nil, region: RegionRule, classScale: ClassScale? = nil, role: ColumnRole? = nil) {
        self.name = name
        self.family = family
        self.kind = kind
        self.unit = unit
        self.formulaGuard = formulaGuard
        self.label = label
        self.description = description
        self.mapRole = mapRole
        self.chart = chart
        self.regionRule = region
        self.classScale = classScale
        self.role = role
    }

    /// The column as `indicators.csv` prints it.
    public var indicatorColumn: Column { Column(name, kind.columnKind, schema: self) }

    /// The column as `regions.csv` prints it (nil when it is not in that table).
    public var regionColumn: Column? {
        switch regionRule {
        case .none: return nil
        case .memberCount, .countTrue: return Column(name, .integer, schema: self)
        default: return Column(name, kind.columnKind, schema: self)
        }
    }

    /// Whether the column is in `indicators.csv` (region-only columns are not).
    public var inIndicatorTable: Bool { regionRule != .memberCount }

    /// Whether a change in this column can be summed over terreinen (amounts and counts,
    /// not fractions, minima or classes): the columns whose region value is a sum.
    public var isSummable: Bool { regionRule == .sum }
}

/// An unrounded per-terrein value that a family keeps beside its columns: sums and cell
/// counts that region rules, `terrein merge` and the history need, and that rounding
/// would spoil. Never written to the tables.
public struct AccumulatorSchema: Sendable, Equatable {
    public var name: String
    public var family: String
    public var description: String
    public init(_ name: String, family: String, description: String) {
        self.name = name
        self.family = family
        self.description = description
    }
}

/// Every column the families can produce, for readers that see only a finished output
/// folder (`terrein report DIR`, `terrein diff`): they learn a column's kind, decimals and
/// roles from its name here instead of guessing.
public struct ColumnCatalog: Sendable {
    private let resolver: @Sendable (String) -> ColumnSchema?
    public init(_ resolver: @escaping @Sendable (String) -> ColumnSchema?) { self.resolver = resolver }
    public func schema(_ name: String) -> ColumnSchema? { resolver(name) }
    /// A catalog that knows no column (readers then fall back to the stored types).
    public static let empty = ColumnCatalog { _ in nil }
}
