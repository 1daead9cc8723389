import Foundation
import TerreinGeometry
import TerreinIO
import Yams

/// A configuration problem: the pipeline file, the key path, what is wrong, what would be valid.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var keyPath: String
    public var line: Int?
    public var problem: String
    public var hint: String

    public init(file: String, keyPath: String, line: Int? = nil, problem: String, hint: String = "") {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if !keyPath.isEmpty { s += "\(keyPath): " }
        s += problem
        if !hint.isEmpty { s += "\n  → " + hint }
        return s
    }
}

/// The layers of docs/indicators.md.
public enum LayerKind: String, CaseIterable, Sendable, Comparable {
    case terreinen, roofs, natura2000, landcover, inundation

    /// The attributes a layer's `fields:` may map, with the default file field name (= the key).
    public var attributes: [String] {
        switch self {
        case .terreinen: return ["id", "name", "region"]
        case .roofs: return ["slope_deg", "azimuth_deg", "building_id"]
        case .natura2000: return ["name"]
        case .landcover: return ["class"]
        case .inundation: return ["depth_m"]
        }
    }

    public static func < (a: LayerKind, b: LayerKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct LayerConfig: Sendable {
    public var kind: LayerKind
    /// Absolute path of the input file.
    public var path: String
    /// The path as written in the pipeline file.
    public var declaredPath: String
    /// Overrides the file's own CRS (legacy `crs` member, or WGS84 by RFC 7946).
    public var crs: CRSIdentifier?
    /// Spec attribute name → field name in the file.
    public var fields: [String: String]
    /// Which fields were set explicitly (explicit fields must exist in the data).
    public var explicitFields: Set<String>
    /// Land cover only: class value → sealed/green/water.
    public var classes: [String: LandCoverClass]

    public func field(_ attribute: String) -> String { fields[attribute] ?? attribute }
}

public enum LandCoverClass: String, Sendable, CaseIterable {
    case sealed, green, water, other
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case csv, geojson, gpkg, report
}

/// The yield factor table: rows are slopes, columns deviations from south.
public struct YieldFactorTable: Sendable, Equatable {
    public var slopesDeg: [Double]
    public var deviationsDeg: [Double]
    public var factors: [[Double]]

    public static let `default` = YieldFactorTable(
        slopesDeg: [0, 15, 30, 45, 60, 90],
        deviationsDeg: [0, 45, 90, 135, 180],
        factors: [
            [0.87, 0.87, 0.87, 0.87, 0.87],
            [0.97, 0.94, 0.86, 0.78, 0.74],
            [1.00, 0.96, 0.84, 0.70, 0.64],
            [0.99, 0.94, 0.80, 0.62, 0.52],
            [0.93, 0.88, 0.74, 0.55, 0.43],
            [0.69, 0.66, 0.56, 0.41, 0.30],
        ])

    /// Bilinear interpolation at (slope, deviation), clamped to the table's edges.
    public func factor(slope: Double, deviation: Double) -> Double {
        func locate(_ axis: [Double], _ v: Double) -> (Int, Int, Double) {
            if v <= axis[0] { return (0, 0, 0) }
            if v >= axis[axis.count - 1] { return (axis.count - 1, axis.count - 1, 0) }
            var i = 0
            while axis[i + 1] < v { i += 1 }
            let t = (v - axis[i]) / (axis[i + 1] - axis[i])
            return (i, i + 1, t)
        }
        let (r0, r1, ts) = locate(slopesDeg, slope)
        let (c0, c1, td) = locate(deviationsDeg, deviation)
        let top = factors[r0][c0] * (1 - td) + factors[r0][c1] * td
        let bottom = factors[r1][c0] * (1 - td) + factors[r1][c1] * td
        return top * (1 - ts) + bottom * ts
    }

    /// The factor for flat faces: the slope-0 row at deviation 0.
    public var flatFactor: Double { factors[0][0] }
}

public struct SolarParameters: Sendable, Equatable {
    public var flatMaxSlopeDeg = 10.0
    public var minFaceM2 = 10.0
    public var maxSlopeDeg = 60.0
    public var maxDevFromSouthDeg = 90.0
    public var kwpPerM2 = 0.2
    public var usableFractionFlat = 0.6
    public var usableFractionPitched = 0.8
    public var specificYieldKWhPerKWp = 900.0
    public var yieldFactors = YieldFactorTable.default
    public init() {}
}

public struct NatureParameters: Sendable, Equatable {
    public var bandsM: [Int] = [500]
    public init() {}
}

public struct WaterParameters: Sendable, Equatable {
    public var minDepthM = 0.10
    public var deepDepthM = 0.30
    public var designStormMM = 70.0
    public var cSealed = 0.9
    public var cUnsealed = 0.2
    public var storageMMPerSealedM2 = 60.0
    public init() {}
}

public struct Parameters: Sendable, Equatable {
    public var solar = SolarParameters()
    public var nature = NatureParameters()
    public var water = WaterParameters()
    public init() {}
}

/// A loaded and validated pipeline file.
public struct Pipeline: Sendable {
    public var name: String
    public var file: String
    public var workCRS: CRSIdentifier
    public var layers: [LayerKind: LayerConfig]
    public var parameters: Parameters
    public var outputDirectory: String
    public var formats: [OutputFormat]
    /// SHA-256 of the pipeline file's bytes.
    public var sha256: String

    public init(name: String, file: String, workCRS: CRSIdentifier, layers: [LayerKind: LayerConfig],
                parameters: Parameters, outputDirectory: String, formats: [OutputFormat], sha256: String) {
        self.name = name
        self.file = file
        self.workCRS = workCRS
        self.layers = layers
        self.parameters = parameters
        self.outputDirectory = outputDirectory
        self.formats = formats
        self.sha256 = sha256
    }
}

// MARK: Loading

extension Pipeline {
    /// Loads and validates a pipeline file: unknown keys, wrong types, missing files and
    /// bad values are `ConfigError`s naming the key path and what would be valid.
    public static func load(path: String, outputOverride: String? = nil) throws -> Pipeline {
        let url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(file: path, keyPath: "", problem: "the pipeline file does not exist",
                              hint: "give the path of a .yml pipeline file, e.g. Pipelines/sample.yml")
        }
        guard !isDir.boolValue else {
            throw ConfigError(file: path, keyPath: "", problem: "this is a directory, not a pipeline file")
        }
        if let kind = InputFile.nonRegularKind(atPath: path) {  // a FIFO or device would block or never end
            throw ConfigError(file: path, keyPath: "", problem: "this is \(kind), not a pipeline file",
                              hint: "give the path of a .yml file on disk (save a generated pipeline to a file first)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError(file: path, keyPath: "", problem: "cannot read the pipeline file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, keyPath: "", problem: "the pipeline file is not UTF-8 text")
        }
        return try parse(text: text, file: path, sha256: Hashing.sha256Hex(data), outputOverride: outputOverride)
    }

    /// Parses pipeline YAML text; relative paths are resolved against the file's folder.
    public static func parse(text: String, file: String, sha256: String = "", outputOverride: String? = nil) throws -> Pipeline {
        let node: Node?
        do {
            try refuseAliasKeys(text, file: file)
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ConfigError(file: file, keyPath: "", problem: "invalid YAML: \(yamlProblem(e))",
                              hint: "check indentation and quoting near that line")
        }
        guard let root = node, case .mapping = root else {
            throw ConfigError(file: file, keyPath: "", problem: "the pipeline file must be a YAML mapping with keys name, layers, ...")
        }
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        let r = NodeReader(file: file)
        let top = try r.mapping(root, "", allowed: ["name", "work_crs", "layers", "parameters", "outputs"])

        guard let nameNode = top["name"] else {
            throw ConfigError(file: file, keyPath: "name", problem: "missing", hint: "add e.g. `name: sample` (used for Output/<name>/)")
        }
        let name = try r.string(nameNode, "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), name != ".", name != ".." else {
            throw ConfigError(file: file, keyPath: "name", line: r.line(nameNode), problem: "\"\(name)\" is not a usable name",
                              hint: "use letters, digits, '-', '_' or '.' (it names the output folder)")
        }

        var workCRS = CRSIdentifier.rdNew
        if let n = top["work_crs"] {
            let s = try r.string(n, "work_crs")
            guard let id = CRSIdentifier(parsing: s) else {
                throw ConfigError(file: file, keyPath: "work_crs", line: r.line(n), problem: "\"\(s)\" is not a CRS identifier",
                                  hint: "write it as EPSG:28992")
            }
            let info: CRSInfo
            do { info = try lookUpCRS(id) } catch {
                throw ConfigError(file: file, keyPath: "work_crs", line: r.line(n), problem: "\(error)")
            }
            if info.isGeographic || id == .wgs84 {
                throw ConfigError(file: file, keyPath: "work_crs", line: r.line(n),
                                  problem: "\(id) (\(info.name)) is geographic: areas and distances need a projected CRS in metres",
                                  hint: "use EPSG:28992 (RD New) for the Netherlands")
            }
            workCRS = id
        }

        guard let layersNode = top["layers"] else {
            throw ConfigError(file: file, keyPath: "layers", problem: "missing",
                              hint: "add a `layers:` mapping with at least terreinen and roofs")
        }
        let layerMap = try r.mapping(layersNode, "layers", allowed: LayerKind.allCases.map(\.rawValue))
        var layers: [LayerKind: LayerConfig] = [:]
        for kind in LayerKind.allCases {
            guard let ln = layerMap[kind.rawValue] else { continue }
            layers[kind] = try parseLayer(kind, ln, r: r, base: base)
        }
        for required in [LayerKind.terreinen, .roofs] where layers[required] == nil {
            throw ConfigError(file: file, keyPath: "layers.\(required.rawValue)", problem: "missing: this layer is required",
                              hint: "add `\(required.rawValue): {path: ...}` under layers")
        }

        var parameters = Parameters()
        if let pn = top["parameters"] {
            parameters = try parseParameters(pn, r: r)
        }

        var outputDirectory = base.appendingPathComponent("../Output/\(name)").standardizedFileURL.path
        var formats = OutputFormat.allCases
        if let on = top["outputs"] {
            let o = try r.mapping(on, "outputs", allowed: ["directory", "formats"])
            if let d = o["directory"] {
                let s = try r.string(d, "outputs.directory")
                guard !s.isEmpty else {
                    throw ConfigError(file: file, keyPath: "outputs.directory", line: r.line(d), problem: "empty path")
                }
                outputDirectory = resolve(s, base: base)
            }
            if let f = o["formats"] {
                let list = try r.stringList(f, "outputs.formats")
                var chosen: [OutputFormat] = []
                for (i, s) in list.enumerated() {
                    guard let fmt = OutputFormat(rawValue: s) else {
                        throw ConfigError(file: file, keyPath: "outputs.formats[\(i)]", line: r.line(f),
                                          problem: "unknown format \"\(s)\"",
                                          hint: "valid formats: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    if !chosen.contains(fmt) { chosen.append(fmt) }
                }
                guard chosen.contains(.csv) else {
                    throw ConfigError(file: file, keyPath: "outputs.formats", line: r.line(f),
                                      problem: "csv is always written and must be listed",
                                      hint: "e.g. formats: [csv, geojson, gpkg, report]")
                }
                formats = chosen
            }
        }
        if let outputOverride { outputDirectory = URL(fileURLWithPath: outputOverride).standardizedFileURL.path }

        return Pipeline(name: name, file: file, workCRS: workCRS, layers: layers, parameters: parameters,
                        outputDirectory: outputDirectory, formats: formats, sha256: sha256)
    }

    /// Refuses YAML aliases (`*name`) used as mapping keys, before Yams composes the text.
    ///
    /// Yams expands an alias into a copy of its anchor's node and hashes every mapping key
    /// to find duplicates, so an alias key that refers to nested aliases ("billion laughs")
    /// takes exponential time. Terrein's keys are plain text, so such a file is wrong anyway:
    /// find them on a neutral copy of the text in which every `*` is replaced by U+E000
    /// (one character for one, so lines and columns stay): aliases become plain scalars
    /// starting with U+E000, nothing is expanded, and the copy composes in linear time.
    static func refuseAliasKeys(_ text: String, file: String) throws {
        guard text.contains("*") else { return }
        let neutral = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "*" ? "\u{E000}" : $0 }))
        guard let root = try Yams.compose(yaml: neutral) else { return }
        func isAlias(_ n: Node) -> Bool {
            if case .scalar(let s) = n { return s.style == .plain && s.string.unicodeScalars.first == "\u{E000}" }
            return false
        }
        func containsAlias(_ n: Node) -> Bool {
            switch n {
            case .scalar: return isAlias(n)
            case .sequence(let seq): return seq.contains(where: containsAlias)
            case .mapping(let m): return m.contains { containsAlias($0.key) || containsAlias($0.value) }
            case .alias: return true
            }
        }
        var stack = [root]
        while let n = stack.popLast() {
            switch n {
            case .sequence(let seq): stack.append(contentsOf: seq)
            case .mapping(let m):
                for (k, v) in m {
                    if containsAlias(k) {
                        throw ConfigError(file: file, keyPath: "", line: k.mark?.line,
                                          problem: "a YAML alias (*name) is used as a mapping key",
                                          hint: "keys in a pipeline file are plain text; use aliases only as values")
                    }
                    stack.append(v)
                }
            case .scalar, .alias: break
            }
        }
    }

    static func resolve(_ path: String, base: URL) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    private static func parseLayer(_ kind: LayerKind, _ node: Node, r: NodeReader, base: URL) throws -> LayerConfig {
        let key = "layers.\(kind.rawValue)"
        var allowed = ["path", "crs", "fields"]
        if kind == .landcover { allowed.append("classes") }
        let m = try r.mapping(node, key, allowed: allowed)
        guard let pn = m["path"] else {
            throw ConfigError(file: r.file, keyPath: "\(key).path", line: r.line(node), problem: "missing",
                              hint: "the GeoJSON file of this layer, relative to the pipeline file")
        }
        let declared = try r.string(pn, "\(key).path")
        let path = resolve(declared, base: base)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            throw ConfigError(file: r.file, keyPath: "\(key).path", line: r.line(pn),
                              problem: "file not found: \(path)",
                              hint: "paths are relative to the pipeline file's folder (\(base.path))")
        }
        if isDir.boolValue {
            throw ConfigError(file: r.file, keyPath: "\(key).path", line: r.line(pn),
                              problem: "\(path) is a directory, not a file",
                              hint: "point the layer at its .geojson or .geojsonl file")
        }
        var crs: CRSIdentifier?
        if let cn = m["crs"] {
            let s = try r.string(cn, "\(key).crs")
            guard let id = CRSIdentifier(parsing: s) else {
                throw ConfigError(file: r.file, keyPath: "\(key).crs", line: r.line(cn), problem: "\"\(s)\" is not a CRS identifier",
                                  hint: "write it as EPSG:28992 or EPSG:4326")
            }
            do { _ = try lookUpCRS(id) } catch {
                throw ConfigError(file: r.file, keyPath: "\(key).crs", line: r.line(cn), problem: "\(error)")
            }
            crs = id
        }
        var fields: [String: String] = [:]
        var explicit: Set<String> = []
        if let fn = m["fields"] {
            let f = try r.mapping(fn, "\(key).fields", allowed: kind.attributes)
            for (attr, vn) in f.pairs {
                let v = try r.string(vn, "\(key).fields.\(attr)")
                guard !v.isEmpty else {
                    throw ConfigError(file: r.file, keyPath: "\(key).fields.\(attr)", line: r.line(vn), problem: "empty field name")
                }
                fields[attr] = v
                explicit.insert(attr)
            }
        }
        var classes: [String: LandCoverClass] = [:]
        if kind == .landcover {
            guard let cn = m["classes"] else {
                throw ConfigError(file: r.file, keyPath: "\(key).classes", line: r.line(node), problem: "missing",
                                  hint: "map the class values, e.g. classes: {sealed: [verhard], green: [groen], water: [water]}")
            }
            let c = try r.mapping(cn, "\(key).classes", allowed: ["sealed", "green", "water", "other"])
            for (cls, vn) in c.pairs {
                let target = LandCoverClass(rawValue: cls)!
                for v in try r.stringList(vn, "\(key).classes.\(cls)") {
                    if let prior = classes[v], prior != target {
                        throw ConfigError(file: r.file, keyPath: "\(key).classes.\(cls)", line: r.line(vn),
                                          problem: "class value \"\(v)\" is mapped to both \(prior.rawValue) and \(cls)")
                    }
                    classes[v] = target
                }
            }
        }
        return LayerConfig(kind: kind, path: path, declaredPath: declared, crs: crs, fields: fields,
                           explicitFields: explicit, classes: classes)
    }

    private static func parseParameters(_ node: Node, r: NodeReader) throws -> Parameters {
        var p = Parameters()
        let m = try r.mapping(node, "parameters", allowed: ["solar", "nature", "water"])
        if let sn = m["solar"] {
            let s = try r.mapping(sn, "parameters.solar", allowed: [
                "flat_max_slope_deg", "min_face_m2", "max_slope_deg", "max_dev_from_south_deg", "kwp_per_m2",
                "usable_fraction_flat", "usable_fraction_pitched", "specific_yield_kwh_per_kwp", "yield_factors"])
            func num(_ k: String, _ range: ClosedRange<Double>) throws -> Double? {
                guard let n = s[k] else { return nil }
                return try r.number(n, "parameters.solar.\(k)", range: range)
            }
            if let v = try num("flat_max_slope_deg", 0...90) { p.solar.flatMaxSlopeDeg = v }
            if let v = try num("min_face_m2", 0...1e9) { p.solar.minFaceM2 = v }
            if let v = try num("max_slope_deg", 0...90) { p.solar.maxSlopeDeg = v }
            if let v = try num("max_dev_from_south_deg", 0...180) { p.solar.maxDevFromSouthDeg = v }
            if let v = try num("kwp_per_m2", 0...1) { p.solar.kwpPerM2 = v }
            if let v = try num("usable_fraction_flat", 0...1) { p.solar.usableFractionFlat = v }
            if let v = try num("usable_fraction_pitched", 0...1) { p.solar.usableFractionPitched = v }
            if let v = try num("specific_yield_kwh_per_kwp", 0...10000) { p.solar.specificYieldKWhPerKWp = v }
            if let yn = s["yield_factors"] {
                p.solar.yieldFactors = try parseYieldFactors(yn, r: r)
            }
        }
        if let nn = m["nature"] {
            let n = try r.mapping(nn, "parameters.nature", allowed: ["bands_m"])
            if let bn = n["bands_m"] {
                guard case .sequence(let seq) = bn, !seq.isEmpty else {
                    throw ConfigError(file: r.file, keyPath: "parameters.nature.bands_m", line: r.line(bn),
                                      problem: "expected a non-empty list of distances in metres", hint: "e.g. bands_m: [500, 1000]")
                }
                var bands: [Int] = []
                for (i, b) in seq.enumerated() {
                    guard let v = b.int, v > 0, b.string?.allSatisfy(\.isNumber) == true else {
                        throw ConfigError(file: r.file, keyPath: "parameters.nature.bands_m[\(i)]", line: r.line(b),
                                          problem: "\"\(b.string ?? "?")\" is not a positive whole number of metres")
                    }
                    if let last = bands.last, v <= last {
                        throw ConfigError(file: r.file, keyPath: "parameters.nature.bands_m[\(i)]", line: r.line(b),
                                          problem: "bands must be strictly increasing (\(v) follows \(last))")
                    }
                    bands.append(v)
                }
                p.nature.bandsM = bands
            }
        }
        if let wn = m["water"] {
            let w = try r.mapping(wn, "parameters.water", allowed: [
                "min_depth_m", "deep_depth_m", "design_storm_mm", "c_sealed", "c_unsealed", "storage_mm_per_sealed_m2"])
            func num(_ k: String, _ range: ClosedRange<Double>) throws -> Double? {
                guard let n = w[k] else { return nil }
                return try r.number(n, "parameters.water.\(k)", range: range)
            }
            if let v = try num("min_depth_m", 0...100) { p.water.minDepthM = v }
            if let v = try num("deep_depth_m", 0...100) { p.water.deepDepthM = v }
            if let v = try num("design_storm_mm", 0...10000) { p.water.designStormMM = v }
            if let v = try num("c_sealed", 0...1) { p.water.cSealed = v }
            if let v = try num("c_unsealed", 0...1) { p.water.cUnsealed = v }
            if let v = try num("storage_mm_per_sealed_m2", 0...10000) { p.water.storageMMPerSealedM2 = v }
        }
        return p
    }

    private static func parseYieldFactors(_ node: Node, r: NodeReader) throws -> YieldFactorTable {
        let key = "parameters.solar.yield_factors"
        let m = try r.mapping(node, key, allowed: ["slopes_deg", "deviations_deg", "factors"])
        func axis(_ k: String, first: Double, last: ClosedRange<Double>) throws -> [Double] {
            guard let n = m[k], case .sequence(let seq) = n, seq.count >= 2 else {
                throw ConfigError(file: r.file, keyPath: "\(key).\(k)", line: r.line(node),
                                  problem: "expected a list of at least two increasing numbers")
            }
            let values = try seq.enumerated().map { try r.number($1, "\(key).\(k)[\($0)]", range: last) }
            guard values.first == first, zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw ConfigError(file: r.file, keyPath: "\(key).\(k)", line: r.line(n),
                                  problem: "must start at \(Int(first)) and increase strictly")
            }
            return values
        }
        let slopes = try axis("slopes_deg", first: 0, last: 0...90)
        let devs = try axis("deviations_deg", first: 0, last: 0...180)
        guard let fn = m["factors"], case .sequence(let rows) = fn, rows.count == slopes.count else {
            throw ConfigError(file: r.file, keyPath: "\(key).factors", line: r.line(node),
                              problem: "expected \(slopes.count) rows (one per slope) of \(devs.count) factors")
        }
        var factors: [[Double]] = []
        for (i, row) in rows.enumerated() {
            guard case .sequence(let cells) = row, cells.count == devs.count else {
                throw ConfigError(file: r.file, keyPath: "\(key).factors[\(i)]", line: r.line(row),
                                  problem: "expected \(devs.count) factors (one per deviation)")
            }
            factors.append(try cells.enumerated().map { try r.number($1, "\(key).factors[\(i)][\($0)]", range: 0...2) })
        }
        return YieldFactorTable(slopesDeg: slopes, deviationsDeg: devs, factors: factors)
    }

    private static func yamlProblem(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        default:
            return "\(e)"
        }
    }
}

/// Typed access to YAML nodes with key-path errors.
struct NodeReader {
    let file: String

    struct Map {
        var pairs: [(String, Node)]
        subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    }

    func line(_ n: Node) -> Int? { n.mark?.line }

    func mapping(_ node: Node, _ key: String, allowed: [String]) throws -> Map {
        guard case .mapping(let m) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a mapping of keys",
                              hint: "valid keys: " + allowed.joined(separator: ", "))
        }
        var pairs: [(String, Node)] = []
        for (k, v) in m {
            guard let ks = k.string else {
                throw ConfigError(file: file, keyPath: key, line: line(k), problem: "keys must be text")
            }
            let path = key.isEmpty ? ks : "\(key).\(ks)"
            guard allowed.contains(ks) else {
                let close = allowed.min { editDistance($0, ks) < editDistance($1, ks) }
                var hint = "valid keys here: " + allowed.joined(separator: ", ")
                if let close, editDistance(close, ks) <= 3 { hint = "did you mean `\(close)`? " + hint }
                throw ConfigError(file: file, keyPath: path, line: line(k), problem: "unknown key", hint: hint)
            }
            if pairs.contains(where: { $0.0 == ks }) {
                throw ConfigError(file: file, keyPath: path, line: line(k), problem: "duplicate key")
            }
            pairs.append((ks, v))
        }
        return Map(pairs: pairs)
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let s) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a text value")
        }
        return s.string
    }

    func stringList(_ node: Node, _ key: String) throws -> [String] {
        guard case .sequence(let seq) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a list, e.g. [a, b]")
        }
        return try seq.enumerated().map { try string($1, "\(key)[\($0)]") }
    }

    func number(_ node: Node, _ key: String, range: ClosedRange<Double>) throws -> Double {
        guard case .scalar = node, let v = node.float ?? node.int.map(Double.init), v.isFinite else {
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "expected a number, found \"\(node.string ?? "a list or mapping")\"")
        }
        guard range.contains(v) else {
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "\(v) is out of range", hint: "valid values lie in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }
}

/// Levenshtein distance, for "did you mean" hints on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}
