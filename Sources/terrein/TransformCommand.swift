import ArgumentParser
import Foundation
import TerreinGeometry
import TerreinIO

extension Terrein {
    /// Points from one CRS to another with exactly the operation a run uses (like `cs2cs`).
    struct Transform: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Transform \"x y\" (or \"lon lat\") lines from stdin to stdout with the operation a run would use.",
            discussion: """
            Axis order is always x = east (longitude), y = north (latitude), whatever the CRS's
            own order. Anything after the first two numbers on a line is passed through. Between
            ETRS89/WGS84 and RD New the operation is the RDNAPTRANS2018 grid pipeline: a point
            outside the grid (50–56° N, 2–8° E) is an error (exit 3) naming its line.
            Example: echo "5.38720621 52.15517440" | terrein transform --from EPSG:4258 --to EPSG:28992
            """)

        @Option(help: "Source CRS, e.g. EPSG:4326, OGC:CRS84, EPSG:3035.")
        var from: String

        @Option(help: "Target CRS, e.g. EPSG:28992.")
        var to: String

        @Flag(help: "Print the PROJ definition of the operation (to stderr) before transforming.")
        var showOperation = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let log = global.logger()
            try guarded(log) {
                func crs(_ text: String, _ option: String) throws -> CRSIdentifier {
                    guard let id = CRSIdentifier(parsing: text) else {
                        throw ValidationError("\(option) \(text) is not a CRS identifier (e.g. EPSG:28992, OGC:CRS84)")
                    }
                    do { _ = try lookUpCRS(id) } catch { throw ValidationError("\(option) \(text): \(error)") }
                    return id
                }
                let source = try crs(from, "--from"), target = try crs(to, "--to")
                let transformer = try CRSTransformer(from: source, to: target)
                if showOperation { FileHandle.standardError.write(Data((transformer.operation + "\n").utf8)) }
                let geographic = try lookUpCRS(target).horizontalPart.isGeographic
                let data = FileHandle.standardInput.readDataToEndOfFile()
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                var out = ""
                out.reserveCapacity(lines.count * 32)
                // Batches through the run's own hot path (proj_trans_generic on a buffer).
                let batch = 4096
                var start = 0
                while start < lines.count {
                    let end = min(start + batch, lines.count)
                    var xy: [Double] = []
                    var rests: [Substring?] = []
                    for k in start..<end {
                        let line = lines[k]
                        let words = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                        if words.isEmpty { rests.append(nil); continue }
                        guard words.count >= 2, let x = Double(words[0]), let y = Double(words[1]) else {
                            throw InputError(file: "stdin", line: k + 1, problem: "\"\(line)\" does not start with two numbers x y",
                                             hint: "give one point per line: x y (longitude latitude for a geographic CRS)")
                        }
                        xy += [x, y]
                        rests.append(words.count > 2 ? words[2] : "")
                    }
                    let input = xy
                    _ = transformer.transform(&xy)
                    var p = 0
                    for (i, rest) in rests.enumerated() {
                        guard let rest else {
                            if start + i < lines.count - 1 { out += "\n" }
                            continue
                        }
                        let x = xy[2 * p], y = xy[2 * p + 1]
                        guard x.isFinite, y.isFinite, abs(x) < 1e15, abs(y) < 1e15 else {
                            throw InputError(file: "stdin", line: start + i + 1,
                                             problem: "point (\(input[2 * p]), \(input[2 * p + 1])): \(transformer.failureProblem)",
                                             hint: "check the point's CRS (--from \(source)) and axis order (x = east, y = north)")
                        }
                        out += geographic ? String(format: "%.10f %.10f", x, y) : String(format: "%.4f %.4f", x, y)
                        if !rest.isEmpty { out += " " + rest }
                        out += "\n"
                        p += 1
                    }
                    start = end
                }
                FileHandle.standardOutput.write(Data(out.utf8))
            }
        }
    }
}
