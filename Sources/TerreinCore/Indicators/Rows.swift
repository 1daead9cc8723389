import Foundation
import TerreinGeometry
import TerreinIO

/// Everything computed for one terrein: one output per family, in the families' order.
public struct TerreinResult: Sendable {
    public var id: String
    public var region: String?
    public var outputs: [FamilyOutput]
    /// CPU seconds spent per family on this terrein (for the manifest's profile).
    public var cpuSeconds: [Double]

    /// The detail of the first family whose result has type `T`.
    public func detail<T>(_ type: T.Type) -> T? {
        for o in outputs { if let d = o.detail as? T { return d } }
        return nil
    }
}

/// CPU time of the calling thread, in seconds.
/// Reading a layer splits its CPU time into parsing, reprojection and build/repair for the
/// manifest. Reading the thread's CPU clock is a system call (CLOCK_THREAD_CPUTIME_ID has no
/// vDSO path), and timing every feature and polygon cost 17 % of reading a GeoPackage
/// (`perf record -e cpu-clock -g` on `terrein inspect`, scale M roofs, 2026-12-01). So the
/// split is measured on every one of the first `exact` features, then on one in `stride` (by
/// 0-based index) scaled up; a pass's total is still read exactly at its start and end. The
/// exact start is for layers of few large features (21 Natura 2000 sites at scale M): scaling
/// one site's repair up by 16 gave a build/repair estimate of 30 s for a 3 s read.
enum StageTiming {
    static let stride = 16
    static let exact = 256

    /// Whether the feature at `index` is one whose stages are timed.
    static func sampled(_ index: Int) -> Bool { index < exact || index % stride == 0 }

    /// How many features a timed feature's time stands for (1 for the first `exact`).
    static func weight(_ index: Int) -> Double { index < exact ? 1 : Double(stride) }
}

func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The indicator schema of one run: its families with their columns and accumulators
/// for the run's parameters. Builds both tables from the results.
public struct IndicatorSchema: Sendable {
    public let families: [any IndicatorFamily]
    /// Per family, its columns.
    public let columns: [[ColumnSchema]]
    /// Per family, its accumulators.
    public let accumulators: [[AccumulatorSchema]]

    public init(families: [any IndicatorFamily] = IndicatorFamilies.standard, parameters: Parameters) {
        self.families = families
        columns = families.map { $0.columns(parameters) }
        accumulators = families.map { $0.accumulators(parameters) }
    }

    /// Every column in table order.
    public var allColumns: [ColumnSchema] { columns.flatMap { $0 } }

    /// Computes every family for one terrein, timing each.
    func compute(_ t: TerreinContext) throws -> TerreinResult {
        var outputs: [FamilyOutput] = []
        var times: [Double] = []
        outputs.reserveCapacity(families.count)
        var clock = threadCPUTime()
        for (k, family) in families.enumerated() {
            let out = try family.compute(t)
            guard out.cells.count == columns[k].count, out.accumulators.count == accumulators[k].count else {
                preconditionFailure("family \(family.name) returned \(out.cells.count) cells and \(out.accumulators.count) accumulators for \(columns[k].count) columns and \(accumulators[k].count) accumulators")
            }
            outputs.append(out)
            let now = threadCPUTime()
            times.append(now - clock)
            clock = now
        }
        return TerreinResult(id: t.terrein.id, region: t.terrein.region, outputs: outputs, cpuSeconds: times)
    }

    /// `indicators.csv`: one row per terrein; `results` must already be sorted by id.
    public func indicatorTable(_ results: [TerreinResult]) -> Table {
        var picks: [(family: Int, column: Int)] = []
        var header: [Column] = []
        for (k, cs) in columns.enumerated() {
            for (j, c) in cs.enumerated() where c.inIndicatorTable {
                picks.append((k, j))
                header.append(c.indicatorColumn)
            }
        }
        var table = Table(columns: header)
        table.rows.reserveCapacity(results.count)
        for r in results {
            table.rows.append(picks.map { r.outputs[$0.family].cells[$0.column] })
        }
        return table
    }

    /// `regions.csv`: one row per region (terreinen without a region form the region with
    /// the empty name), sorted by region as UTF-8 bytes, each column by its region rule
    /// over the region's terreinen in id order.
    public func regionTable(_ results: [TerreinResult]) -> Table {
        var groups: [ByteKey: [Int]] = [:]
        for (i, r) in results.enumerated() { groups[ByteKey(r.region ?? ""), default: []].append(i) }
        let keys = groups.keys.sorted()

        // Where each column and accumulator lives, by name.
        var location: [String: (family: Int, index: Int, accumulator: Bool)] = [:]
        for (k, cs) in columns.enumerated() {
            for (j, c) in cs.enumerated() { location[c.name] = (k, j, false) }
        }
        for (k, acc) in accumulators.enumerated() {
            for (j, a) in acc.enumerated() { location[a.name] = (k, j, true) }
        }
        let regionColumns = allColumns.compactMap { c in c.regionColumn.map { (c, $0) } }
        var table = Table(columns: regionColumns.map(\.1))

        for key in keys {
            let members = groups[key]!.map { results[$0] }  // in id order
            /// The members' values of a column or accumulator, nil where null.
            func values(_ name: String) -> [Double?] {
                guard let w = location[name] else { preconditionFailure("region rule names unknown value \(name)") }
                return members.map { m in
                    if w.accumulator { return m.outputs[w.family].accumulators[w.index] }
                    switch m.outputs[w.family].cells[w.index] {
                    case .real(let d): return d
                    case .integer(let n): return Double(n)
                    default: return nil
                    }
                }
            }
            func sum(_ name: String) -> Double? {
                let present = values(name).compactMap { $0 }
                return present.isEmpty ? nil : present.reduce(0, +)
            }
            var row: [Cell] = []
            var byName: [String: Cell] = [:]
            var deferred: [(Int, ColumnSchema, String)] = []
            for (c, out) in regionColumns {
                let cell: Cell
                switch c.regionRule {
                case .none: continue
                case .key: cell = .text(key.string)
                case .memberCount: cell = .integer(members.count)
                case .sum:
                    if out.kind == .integer {
                        let w = location[c.name]!
                        let ints = members.compactMap { m -> Int? in
                            if case .integer(let n) = m.outputs[w.family].cells[w.index] { return n }
                            return nil
                        }
                        cell = ints.isEmpty ? .null : .integer(ints.reduce(0, +))
                    } else {
                        cell = sum(c.name).map(Cell.real) ?? .null
                    }
                case .min:
                    cell = values(c.name).compactMap { $0 }.min().map(Cell.real) ?? .null
                case .countTrue:
                    let w = location[c.name]!
                    let flags = members.compactMap { m -> Bool? in
                        if case .boolean(let b) = m.outputs[w.family].cells[w.index] { return b }
                        return nil
                    }
                    cell = flags.isEmpty ? .null : .integer(flags.filter { $0 }.count)
                case .ratio(let numerator, let denominator):
                    if let n = sum(numerator) {
                        let d = sum(denominator) ?? 0
                        cell = .real(d > 0 ? n / d : 0)
                    } else {
                        cell = .null
                    }
                case .cellWeightedMean(let total, let cells):
                    if let s = sum(total), let n = sum(cells), n > 0 { cell = .real(s / n) } else { cell = .null }
                case .classOf(let source):
                    // Classified from the region's own value of `source`, filled in below.
                    deferred.append((row.count, c, source))
                    cell = .null
                }
                byName[c.name] = cell
                row.append(cell)
            }
            for (position, c, source) in deferred {
                guard let scale = c.classScale else { preconditionFailure("column \(c.name) has classOf without a class scale") }
                if case .real(let v)? = byName[source] { row[position] = .text(scale.label(for: v)) }
            }
            table.rows.append(row)
        }
        return table
    }

    /// CPU seconds per family, summed over terreinen, in family order.
    public func cpuProfile(_ results: [TerreinResult]) -> [(String, Double)] {
        families.enumerated().map { k, f in (f.name, results.reduce(0) { $0 + $1.cpuSeconds[k] }) }
    }
}
