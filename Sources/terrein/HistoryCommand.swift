import ArgumentParser
import Foundation
import TerreinCore
import TerreinIO
import TerreinJSON

extension Terrein {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the runs in a run history, or follow one terrein's indicators over the runs.",
            discussion: """
            A run history is the GeoPackage named by outputs.history (or terrein run --history);
            see docs/history.md. Without --terrein: one line per run (id, time, counts, versions,
            what changed since the run before). With --terrein ID: one line per run that had the
            terrein, with every indicator column (empty where that run had no such column).
            """)

        @Argument(help: "The run history (a .gpkg file).")
        var history: String

        @Option(help: "A terrein id: print its indicators in every run.")
        var terrein: String?

        @Flag(help: "JSON on stdout instead of a text table.")
        var json = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                let h: RunHistory
                do {
                    h = try RunHistory.open(path: history)
                } catch where sqliteResultCode(error) != nil {
                    throw InputError(file: history, problem: "cannot read the run history: \(error)",
                                     hint: "give the GeoPackage named by outputs.history of a pipeline")
                }
                if let terrein {
                    print(try terreinTable(h, id: terrein), terminator: "")
                } else {
                    print(runTable(h), terminator: "")
                }
            }
        }

        /// What changed since the run before: layers by hash, the pipeline file, parameters.
        static func changes(_ run: HistoryRun, after previous: HistoryRun?) -> String {
            guard let previous else { return "first run" }
            func hashes(_ json: String) -> [String: String] {
                guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else { return [:] }
                var out: [String: String] = [:]
                for e in list { if let l = e["layer"] as? String { out[l] = e["sha256"] as? String ?? "" } }
                return out
            }
            let a = hashes(previous.inputs), b = hashes(run.inputs)
            var changed: [String] = []
            for layer in Set(a.keys).union(b.keys).sorted() where a[layer] != b[layer] {
                changed.append(a[layer] == nil ? "+\(layer)" : b[layer] == nil ? "-\(layer)" : layer)
            }
            if run.parameters != previous.parameters { changed.append("parameters") }
            if run.pipelineSHA256 != previous.pipelineSHA256 && !changed.contains("parameters") { changed.append("pipeline file") }
            if run.terreinVersion != previous.terreinVersion || run.geosVersion != previous.geosVersion
                || run.projVersion != previous.projVersion || run.gdalVersion != previous.gdalVersion {
                changed.append("versions")
            }
            return changed.isEmpty ? "nothing" : changed.joined(separator: ", ")
        }

        func runTable(_ h: RunHistory) -> String {
            if json {
                var items: [String] = []
                for (i, r) in h.runs.enumerated() {
                    let fields: [(String, String)] = [
                        ("run_id", String(r.runID)), ("finished", JSONText.quote(r.finished)), ("started", JSONText.quote(r.started)),
                        ("pipeline_name", JSONText.quote(r.pipelineName)), ("pipeline_file", JSONText.quote(r.pipelineFile)),
                        ("pipeline_sha256", JSONText.quote(r.pipelineSHA256)), ("work_crs", JSONText.quote(r.workCRS)),
                        ("output_directory", JSONText.quote(r.outputDirectory)), ("inputs", r.inputs), ("parameters", r.parameters),
                        ("terrein_version", JSONText.quote(r.terreinVersion)), ("geos_version", JSONText.quote(r.geosVersion)),
                        ("proj_version", JSONText.quote(r.projVersion)), ("gdal_version", JSONText.quote(r.gdalVersion)),
                        ("indicators_csv_sha256", JSONText.quote(r.indicatorsSHA256)), ("regions_csv_sha256", JSONText.quote(r.regionsSHA256)),
                        ("terreinen", String(r.terreinen)), ("regions", String(r.regions)),
                        ("changed", JSONText.quote(Self.changes(r, after: i > 0 ? h.runs[i - 1] : nil))),
                    ]
                    items.append("    {" + fields.map { "\(JSONText.quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}")
                }
                return "{\"history\": \(JSONText.quote(h.path)), \"pipeline\": \(JSONText.quote(h.pipelineName)), "
                    + "\"schema_version\": \(h.fileSchemaVersion), \"runs\": [\n" + items.joined(separator: ",\n")
                    + (items.isEmpty ? "" : "\n") + "]}\n"
            }
            var lines: [[String]] = [["run", "finished", "terreinen", "regions", "terrein", "pipeline sha256", "changed since the run before"]]
            for (i, r) in h.runs.enumerated() {
                lines.append([String(r.runID), r.finished, String(r.terreinen), String(r.regions), r.terreinVersion,
                              String(r.pipelineSHA256.prefix(12)), Self.changes(r, after: i > 0 ? h.runs[i - 1] : nil)])
            }
            return "history of pipeline \(h.pipelineName): \(h.runs.count) run\(h.runs.count == 1 ? "" : "s") (\(h.path))\n"
                + aligned(lines, numeric: [0, 2, 3])
        }

        func terreinTable(_ h: RunHistory, id: String) throws -> String {
            _ = try h.series(terrein: id)  // the error for an unknown id lists some that exist
            var names: [String] = []
            var perRun: [(HistoryRun, [String: String], [String: Bool])] = []
            for r in h.runs {
                let t = try h.indicators(runID: r.runID)
                guard let idColumn = t.columnIndex("id") ?? (t.columns.isEmpty ? nil : 0),
                      let row = t.rows.first(where: { $0[idColumn] == .text(id) }) else { continue }
                var values: [String: String] = [:], numeric: [String: Bool] = [:]
                for (c, column) in t.columns.enumerated() {
                    if !names.contains(column.name) { names.append(column.name) }
                    values[column.name] = Table.format(row[c], as: column.kind)
                    if case .text = column.kind { numeric[column.name] = false } else { numeric[column.name] = true }
                }
                perRun.append((r, values, numeric))
            }
            if json {
                let items = perRun.map { r, values, numeric -> String in
                    var fields = ["\"run_id\": \(r.runID)", "\"finished\": \(JSONText.quote(r.finished))"]
                    for n in names {
                        let v = values[n]
                        let text: String
                        if let v, !v.isEmpty {
                            text = numeric[n] == true ? v : JSONText.quote(v)
                        } else {
                            text = "null"
                        }
                        fields.append("\(JSONText.quote(n)): \(text)")
                    }
                    return "    {" + fields.joined(separator: ", ") + "}"
                }
                return "{\"history\": \(JSONText.quote(h.path)), \"terrein\": \(JSONText.quote(id)), \"points\": [\n"
                    + items.joined(separator: ",\n") + (items.isEmpty ? "" : "\n") + "]}\n"
            }
            var lines: [[String]] = [["run", "finished"] + names]
            for (r, values, _) in perRun { lines.append([String(r.runID), r.finished] + names.map { values[$0] ?? "" }) }
            let numericColumns = names.enumerated().compactMap { c, n in perRun.contains { $0.2[n] == true } ? c + 2 : nil }
            return "terrein \(id) in \(perRun.count) of \(h.runs.count) run\(h.runs.count == 1 ? "" : "s") of pipeline \(h.pipelineName)\n"
                + aligned(lines, numeric: Set([0] + numericColumns))
        }

        /// Columns separated by two spaces; numeric columns right-aligned.
        func aligned(_ lines: [[String]], numeric: Set<Int>) -> String {
            let widths = (0..<(lines.first?.count ?? 0)).map { c in lines.map { $0[c].count }.max() ?? 0 }
            var out = ""
            for line in lines {
                var text = ""
                for (c, v) in line.enumerated() {
                    if c > 0 { text += "  " }
                    let pad = String(repeating: " ", count: widths[c] - v.count)
                    text += numeric.contains(c) ? pad + v : v + pad
                }
                while text.hasSuffix(" ") { text.removeLast() }
                out += text + "\n"
            }
            return out
        }
    }
}
