import Foundation
import TerreinGeometry
import TerreinJSON

/// One self-contained HTML page per terrein under `profiles/` (inline CSS and SVG, no
/// script, no network): its outline on a map with the roof faces coloured by solar class,
/// the flooded and heat-stress areas where those layers exist, the Natura 2000 sites in the
/// map's frame and the distance line to the nearest one; every indicator with its unit and
/// value, its percentile within the run and the medians of its region and of the run; and a
/// trend section from the run history. Printable on A4 (print CSS).
///
/// One file per terrein rather than one file with routes: a page holds only its own
/// terrein's faces (tens of kB), so it opens at once at any scale, where one file holding
/// every terrein's faces would be tens of MB (measured in the README).
///
/// Immutable once made; `render` only reads it (the GEOS site geometries too, whose
/// envelopes are computed when they are made), so worker threads share one set, hence the
/// unchecked Sendable.
public struct ProfileSet: @unchecked Sendable {
    let data: ReportData
    let language: ReportLanguage
    let L: ProfileLabels
    /// The indicator columns a profile lists, in table order.
    let columns: [Int]
    /// Per listed column: the sorted finite values of the run.
    let sorted: [[Double]]
    /// Per listed column: per region (the region's text, "" for none), its sorted values.
    let byRegion: [[String: [Double]]]
    let idIndex: Int?, nameIndex: Int?, regionIndex: Int?
    /// The sites as GEOS geometries (built once from the display rings) with their bounds.
    let sites: [(name: String, geometry: Geometry, bounds: Bounds)]
    /// Per row, the profile's file name under `profiles/`.
    public let fileNames: [String]

    public init(_ data: ReportData, language: ReportLanguage) throws {
        self.data = data
        self.language = language
        L = ProfileLabels(language)
        let t = data.indicators
        idIndex = t.columnIndex(role: .identifier)
        nameIndex = t.columnIndex(role: .label)
        regionIndex = t.columnIndex(role: .grouping)
        var cols: [Int] = []
        for (j, c) in t.columns.enumerated() {
            if let role = c.schema?.role, role == .identifier || role == .label || role == .grouping { continue }
            if c.schema == nil && (j == idIndex || j == nameIndex || j == regionIndex) { continue }
            cols.append(j)
        }
        columns = cols
        var sorted: [[Double]] = []
        var byRegion: [[String: [Double]]] = []
        let regions = t.rows.map { row -> String in
            guard let r = t.columnIndex(role: .grouping), r < row.count, case .text(let s) = row[r] else { return "" }
            return s
        }
        for j in cols {
            var all: [Double] = []
            var groups: [String: [Double]] = [:]
            for (i, row) in t.rows.enumerated() {
                // Rounded as printed (and as the GeoPackage stores them): a page rendered
                // from a finished folder shows the same percentiles and medians.
                guard let v = Self.number(Table.roundedValue(j < row.count ? row[j] : .null, as: t.columns[j].kind)) else { continue }
                all.append(v)
                groups[regions[i], default: []].append(v)
            }
            sorted.append(all.sorted())
            byRegion.append(groups.mapValues { $0.sorted() })
        }
        self.sorted = sorted
        self.byRegion = byRegion
        var sites: [(name: String, geometry: Geometry, bounds: Bounds)] = []
        for s in data.natura2000 {
            let polygons = try s.rings.map { try Geometry.polygon(rings: $0) }
            guard !polygons.isEmpty else { continue }
            let g = polygons.count == 1 ? polygons[0] : try Geometry.collection(polygons, type: .multiPolygon)
            if let b = g.bounds { sites.append((s.name, g, b)) }
        }
        self.sites = sites
        let idColumn = idIndex
        fileNames = t.rows.enumerated().map { i, row in
            var id = String(i + 1)
            if let idColumn, idColumn < row.count { id = Table.format(row[idColumn], as: .text) }
            return ProfileSet.fileName(id: id)
        }
    }

    public var count: Int { data.indicators.rows.count }

    /// A finite number of a cell (booleans and text: nil).
    static func number(_ c: Cell) -> Double? {
        switch c {
        case .real(let d): return d.isFinite ? d : nil
        case .integer(let n): return Double(n)
        default: return nil
        }
    }

    /// The file name of a terrein's profile: the id with every byte outside
    /// `[A-Za-z0-9_-]` (and a `.` at the start) written as `~XX` (hex), so distinct ids get
    /// distinct names that are safe in a path and in a link; a name beyond 120 bytes is cut
    /// to 100 and gets the first 16 hex digits of the id's SHA-256.
    public static func fileName(id: String) -> String {
        var name = ""
        for (k, b) in id.utf8.enumerated() {
            let c = Character(Unicode.Scalar(b))
            let safe = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
                || (b == 0x2E && k > 0)
            name += safe ? String(c) : "~" + String(format: "%02X", b)
        }
        if name.isEmpty { name = "~" }
        if name.utf8.count > 120 {
            name = String(name.prefix(100)) + "~~" + String(Hashing.sha256Hex(Data(id.utf8)).prefix(16))
        }
        return name + ".html"
    }

    /// Percentile of `v` within sorted values: 100 × (count below + ½ count equal) / n.
    static func percentile(_ v: Double, in s: [Double]) -> Double {
        func lowerBound(_ x: Double, strict: Bool) -> Int {
            var lo = 0, hi = s.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if strict ? s[mid] < x : s[mid] <= x { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let below = lowerBound(v, strict: true), upTo = lowerBound(v, strict: false)
        return 100 * (Double(below) + 0.5 * Double(upTo - below)) / Double(s.count)
    }

    /// Median of sorted values (the mean of the two middle ones for an even count).
    static func median(_ s: [Double]) -> Double? {
        if s.isEmpty { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
