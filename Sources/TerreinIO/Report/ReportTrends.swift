import Foundation

/// The profiles' trend points, from a run history (docs/history.md): every past run's values
/// of each terrein as the history stores them (the rounded values of that run's
/// indicators.csv), then the run being written, rounded the same way, unless the history
/// already holds it.
public enum ReportTrends {
    /// Terrein id → points in run order. `current` is the run whose report is being written
    /// (its indicators table and finish time); it becomes the point after the history's last
    /// run, unless that run has the same `indicators.csv` (SHA-256 `currentSHA256`), which is
    /// how `terrein report` on a folder whose run was appended finds it there already.
    /// Without a history (its first run), the current run is the only point.
    public static func points(history: RunHistory?, current: Table, finished: String,
                              currentSHA256: String) throws -> [String: [ReportTrendPoint]] {
        var out: [String: [ReportTrendPoint]] = [:]
        for (id, series) in try history?.series() ?? [:] {
            out[id] = series.map { ReportTrendPoint(runID: $0.runID, finished: $0.finished,
                                                    values: $0.values.mapValues(number)) }
        }
        if let last = history?.runs.last, last.indicatorsSHA256 == currentSHA256 { return out }
        let runID = (history?.runs.map(\.runID).max() ?? 0) + 1
        guard let idColumn = current.columnIndex(role: .identifier) else { return out }
        for row in current.rows {
            guard case .text(let id) = row[idColumn] else { continue }
            var values: [String: Double?] = [:]
            for (j, c) in current.columns.enumerated() {
                values[c.name] = number(Table.roundedValue(row[j], as: c.kind))
            }
            out[id, default: []].append(ReportTrendPoint(runID: runID, finished: finished, values: values))
        }
        return out
    }

    /// A number cell's value; nil for null, text and booleans.
    static func number(_ c: Cell) -> Double? {
        switch c {
        case .real(let d): return d
        case .integer(let n): return Double(n)
        default: return nil
        }
    }
}
