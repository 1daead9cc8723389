import Foundation
import TerreinGeometry
import TerreinIO
import Yams

// MARK: Loading

extension Pipeline {
    /// Loads and validates a pipeline file: unknown keys, wrong types, missing files and
    /// bad values are `ConfigError`s naming the key path and what would be valid.
    public static func load(path: String, outputOverride: String? = nil, historyOverride: String? = nil) throws -> Pipeline {
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
        var pipeline = try parse(text: text, file: path, sha256: Hashing.sha256Hex(data), outputOverride: outputOverride)
        if let historyOverride { pipeline.historyPath = URL(fileURLWithPath: historyOverride).standardizedFileURL.path }
        return pipeline
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
        guard isUsableName(name) else {
            throw ConfigError(file: file, keyPath: "name", line: r.line(nameNode), problem: "\"\(name)\" is not a usable name",
                              hint: "use up to \(maxNameLength) ASCII letters, digits, '-', '_' or '.', not starting with '.' (it names the output folder)")
        }

        var workCRS = CRSIdentifier.rdNew
        var declaredWorkCRS = CRSIdentifier.rdNew
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
            declaredWorkCRS = id
            workCRS = try resolveWorkCRS(info, file: file, line: r.line(n))
        }

        guard let layersNode = top["layers"] else {
            throw ConfigError(file: file, keyPath: "layers", problem: "missing",
                              hint: "add a `layers:` mapping with at least terreinen and roofs")
        }
        let names = LayerKind.allCases.map(\.rawValue)
        let layerMap = try r.mapping(layersNode, "layers",
                                     allowed: names + RasterLayerKind.allCases.map(\.rawValue).filter { !names.contains($0) })
        var layers: [LayerKind: LayerConfig] = [:]
        var landcoverSources: [LayerConfig] = []
        var rasters: [RasterLayerKind: RasterLayerConfig] = [:]
        for kind in LayerKind.allCases {
            guard let ln = layerMap[kind.rawValue] else { continue }
            // A layer that may be either form (inundation) is a raster by its file's extension.
            if let rasterKind = RasterLayerKind(rawValue: kind.rawValue), isRasterLayer(ln) {
                rasters[rasterKind] = try parseRasterLayer(rasterKind, ln, r: r, base: base)
            } else if kind == .landcover {
                landcoverSources = try parseLandcover(ln, r: r, base: base)
                layers[kind] = landcoverSources.first
            } else {
                layers[kind] = try parseLayer(kind, ln, r: r, base: base)
            }
        }
        for kind in RasterLayerKind.allCases where LayerKind(rawValue: kind.rawValue) == nil {
            guard let ln = layerMap[kind.rawValue] else { continue }
            rasters[kind] = try parseRasterLayer(kind, ln, r: r, base: base)
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
        var historyPath: String?
        if let on = top["outputs"] {
            let o = try r.mapping(on, "outputs", allowed: ["directory", "formats", "history"])
            if let d = o["directory"] {
                let s = try r.string(d, "outputs.directory")
                outputDirectory = resolve(s, base: base)
            }
            if let h = o["history"] {
                let s = try r.string(h, "outputs.history")
                guard s.lowercased().hasSuffix(".gpkg") else {
                    throw ConfigError(file: file, keyPath: "outputs.history", line: r.line(h),
                                      problem: "\"\(s)\" is not a GeoPackage file name",
                                      hint: "name the run history file with the .gpkg extension, e.g. history: ../Output/history.gpkg")
                }
                historyPath = resolve(s, base: base)
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

        var pipeline = Pipeline(name: name, file: file, workCRS: workCRS, layers: layers, parameters: parameters,
                                outputDirectory: outputDirectory, formats: formats, sha256: sha256,
                                declaredWorkCRS: declaredWorkCRS, rasters: rasters)
        pipeline.landcoverSources = landcoverSources
        pipeline.historyPath = historyPath
        return pipeline
    }

    static let maxNameLength = 100

    /// `name` becomes a folder name (Output/<name>/): ASCII letters, digits, `-`, `_` and `.`,
    /// not starting with `.` (so never `.`, `..` or a hidden folder), at most 100 characters.
    /// ASCII because the name is compared as bytes, and a composed and a decomposed "é" would
    /// give two folders that look alike (the schema's `pattern` says the same).
    static func isUsableName(_ name: String) -> Bool {
        let ok = { (c: UInt8) in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        let u = Array(name.utf8)
        return !u.isEmpty && u.count <= maxNameLength && u[0] != UInt8(ascii: ".") && u.allSatisfy(ok)
    }

    /// The CRS to compute in for a `work_crs`: a projected CRS in metres, or the projected
    /// horizontal part of a compound CRS (EPSG:7415 → EPSG:28992). Geographic, geocentric,
    /// bound-to-geographic, vertical and non-metre CRSs are refused, saying what to use.
    static func resolveWorkCRS(_ info: CRSInfo, file: String, line: Int?) throws -> CRSIdentifier {
        let id = info.identifier
        let use = "use a projected CRS in metres: EPSG:28992 (RD New) for the Netherlands, or the UTM zone / ETRS89-LAEA (EPSG:3035) for elsewhere"
        func refuse(_ why: String) -> ConfigError {
            ConfigError(file: file, keyPath: "work_crs", line: line,
                        problem: "\(id) (\(info.name)) \(why): areas and distances need a projected CRS in metres", hint: use)
        }
        func judge(_ c: CRSInfo, as role: String) throws {
            switch c.kind {
            case .projected:
                guard c.isInMetres else {
                    let units = Set(c.axes.map(\.unitName)).sorted().joined(separator: ", ")
                    throw refuse("\(role)has axes in \(units.isEmpty ? "unknown units" : units), not metres")
                }
            case .geographic2D, .geographic3D: throw refuse("\(role)is geographic (degrees)")
            case .geocentric: throw refuse("\(role)is geocentric (earth-centred x, y, z)")
            case .bound:
                guard let base = c.components.first else { throw refuse("\(role)is a bound CRS without a base CRS") }
                if base.isGeographic { throw refuse("\(role)is bound to a geographic CRS (\(base.name))") }
                try judge(base, as: "\(role)is bound to \(base.name), which ")
            default: throw refuse("\(role)is a \(c.kind.rawValue) CRS")
            }
        }
        if info.isGeographic || id == .wgs84 { throw refuse("is geographic (degrees)") }
        guard info.kind == .compound else {
            try judge(info, as: "")
            return id
        }
        guard let horizontal = info.components.first else { throw refuse("is a compound CRS without a horizontal part") }
        try judge(horizontal, as: "has a horizontal part \(horizontal.ownIdentifier.map { "\($0) " } ?? "")(\(horizontal.name)) that ")
        guard let code = horizontal.ownIdentifier else {
            throw ConfigError(file: file, keyPath: "work_crs", line: line,
                              problem: "\(id) (\(info.name)): its horizontal part \(horizontal.name) has no authority code",
                              hint: "give the projected CRS itself, e.g. EPSG:28992")
        }
        return code
    }

    static func resolve(_ path: String, base: URL) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    /// A layer's `path:`, resolved against the pipeline file's folder: it must name a file.
    private static func layerPath(_ m: NodeReader.Map, _ node: Node, key: String, what: String, r: NodeReader,
                                  base: URL) throws -> (declared: String, path: String) {
        guard let pn = m["path"] else {
            throw ConfigError(file: r.file, keyPath: "\(key).path", line: r.line(node), problem: "missing",
                              hint: "the \(what) of this layer, relative to the pipeline file")
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
                              hint: "point the layer at its \(what)")
        }
        return (declared, path)
    }

    /// A layer's optional `crs:`: a horizontal CRS PROJ knows.
    private static func layerCRS(_ m: NodeReader.Map, key: String, r: NodeReader) throws -> CRSIdentifier? {
        guard let cn = m["crs"] else { return nil }
        let s = try r.string(cn, "\(key).crs")
        guard let id = CRSIdentifier(parsing: s) else {
            throw ConfigError(file: r.file, keyPath: "\(key).crs", line: r.line(cn), problem: "\"\(s)\" is not a CRS identifier",
                              hint: "write it as EPSG:28992 or EPSG:4326")
        }
        let info: CRSInfo
        do { info = try lookUpCRS(id) } catch {
            throw ConfigError(file: r.file, keyPath: "\(key).crs", line: r.line(cn), problem: "\(error)")
        }
        if info.kind == .vertical {
            throw ConfigError(file: r.file, keyPath: "\(key).crs", line: r.line(cn),
                              problem: "\(id) (\(info.name)) is a vertical CRS: it has no x and y",
                              hint: "give the layer's horizontal CRS, e.g. EPSG:28992 (or the compound EPSG:7415)")
        }
        return id
    }

    /// Whether a layer's node names a raster file by its `path:` extension
    /// (`RasterLayerKind.rasterExtensions`); the layer's parser reports a missing path.
    private static func isRasterLayer(_ node: Node) -> Bool {
        guard case .mapping(let m) = node, let p = m["path"]?.string else { return false }
        return RasterLayerKind.isRasterPath(p)
    }

    private static func parseRasterLayer(_ kind: RasterLayerKind, _ node: Node, r: NodeReader, base: URL) throws -> RasterLayerConfig {
        let key = "layers.\(kind.rawValue)"
        if kind == .inundation, case .mapping(let raw) = node {
            for vectorKey in ["fields", "layer"] {
                guard let v = raw[vectorKey] else { continue }
                throw ConfigError(file: r.file, keyPath: "\(key).\(vectorKey)", line: r.line(v),
                                  problem: "the inundation layer is a raster here (its path ends in .\((raw["path"]?.string.map { ($0 as NSString).pathExtension } ?? "tif"))), whose depth is the cell value: \(vectorKey): is for polygons",
                                  hint: "remove \(vectorKey):, or point path: at a polygon file; rasters take band: and crs: only")
            }
        }
        let m = try r.mapping(node, key, allowed: ["path", "band", "crs"])
        let (declared, path) = try layerPath(m, node, key: key, what: "raster file (GeoTIFF or any raster GDAL reads)", r: r, base: base)
        var band = 1
        if let bn = m["band"] {
            let v = try r.number(bn, "\(key).band", range: 1...65535)
            guard v == v.rounded() else {
                throw ConfigError(file: r.file, keyPath: "\(key).band", line: r.line(bn), problem: "a band is a whole number, counted from 1")
            }
            band = Int(v)
        }
        return RasterLayerConfig(kind: kind, path: path, declaredPath: declared, band: band,
                                 crs: try layerCRS(m, key: key, r: r))
    }

    /// `layers.landcover`: one source (path, ...) or `sources:`, a list of them, which all
    /// feed the one landcover layer in list order.
    private static func parseLandcover(_ node: Node, r: NodeReader, base: URL) throws -> [LayerConfig] {
        let key = "layers.landcover"
        guard case .mapping(let mapping) = node, mapping.contains(where: { $0.key.string == "sources" }) else {
            return [try parseLayer(.landcover, node, r: r, base: base)]
        }
        let m = try r.mapping(node, key, allowed: ["sources"])
        guard let sn = m["sources"], case .sequence(let items) = sn, !items.isEmpty else {
            throw ConfigError(file: r.file, keyPath: "\(key).sources", line: r.line(m["sources"] ?? node),
                              problem: "expected a non-empty list of sources",
                              hint: "e.g. sources: [{path: bgt_wegdeel.gml, class: sealed}, {path: bgt_waterdeel.gml, class: water}]")
        }
        return try items.enumerated().map { i, item in
            try parseLayer(.landcover, item, r: r, base: base, sourceIndex: i)
        }
    }

    private static func parseLayer(_ kind: LayerKind, _ node: Node, r: NodeReader, base: URL,
                                   sourceIndex: Int? = nil) throws -> LayerConfig {
        let key = "layers.\(kind.rawValue)" + (sourceIndex.map { ".sources[\($0)]" } ?? "")
        var allowed = ["path", "crs", "fields", "layer"]
        if kind == .landcover { allowed += ["classes", "class"] }
        if RasterLayerKind(rawValue: kind.rawValue) != nil, case .mapping(let raw) = node, let b = raw["band"] {
            throw ConfigError(file: r.file, keyPath: "\(key).band", line: r.line(b),
                              problem: "band: is for a raster, and this layer's path is read as polygons (a raster's path ends in "
                                + RasterLayerKind.rasterExtensions.sorted().map { "." + $0 }.joined(separator: ", ") + ")",
                              hint: "remove band:, or point path: at the raster file")
        }
        let m = try r.mapping(node, key, allowed: allowed)
        let (declared, path) = try layerPath(m, node, key: key, what: "file (GeoJSON, GeoJSONSeq, or any vector format GDAL reads: GeoPackage, Shapefile, GML, ...)", r: r, base: base)
        let crs = try layerCRS(m, key: key, r: r)
        var fields: [String: String] = [:]
        var explicit: Set<String> = []
        if let fn = m["fields"] {
            let f = try r.mapping(fn, "\(key).fields", allowed: kind.attributes)
            for (attr, vn) in f.pairs {
                let v = try r.string(vn, "\(key).fields.\(attr)")
                fields[attr] = v
                explicit.insert(attr)
            }
        }
        var classes: [String: LandCoverClass] = [:]
        var constantClass: LandCoverClass?
        if kind == .landcover {
            let valid = LandCoverClass.allCases.map(\.rawValue).joined(separator: ", ")
            switch (m["classes"], m["class"]) {
            case (nil, nil):
                throw ConfigError(file: r.file, keyPath: "\(key).classes", line: r.line(node), problem: "missing",
                                  hint: "map the class field's values, e.g. classes: {sealed: [verhard], green: [groen], water: [water]}, or give the whole source one class, e.g. class: water")
            case (.some, .some(let one)):
                throw ConfigError(file: r.file, keyPath: "\(key).class", line: r.line(one),
                                  problem: "a source has either `classes:` (a mapping of its class field's values) or `class:` (one class for all its features), not both",
                                  hint: "keep `class:` for a source of one class (a BGT waterdeel layer: class: water), else `classes:` with fields.class")
            case (nil, .some(let one)):
                let s = try r.string(one, "\(key).class")
                guard let c = LandCoverClass(rawValue: s) else {
                    throw ConfigError(file: r.file, keyPath: "\(key).class", line: r.line(one),
                                      problem: "unknown class \"\(s)\"", hint: "one of \(valid)")
                }
                if let fn = m["fields"], explicit.contains("class") {
                    throw ConfigError(file: r.file, keyPath: "\(key).fields.class", line: r.line(fn),
                                      problem: "a source with one class (`class: \(s)`) reads no class field",
                                      hint: "drop fields.class, or map the field's values with `classes:` instead of `class:`")
                }
                constantClass = c
            case (.some(let cn), nil):
                let c = try r.mapping(cn, "\(key).classes", allowed: ["sealed", "green", "water", "other"])
                for (cls, vn) in c.pairs {
                    let target = LandCoverClass(rawValue: cls)!
                    guard case .sequence(let values) = vn else {
                        throw ConfigError(file: r.file, keyPath: "\(key).classes.\(cls)", line: r.line(vn), problem: "expected a list, e.g. [verhard, 1]")
                    }
                    for (i, valueNode) in values.enumerated() {
                        let v = try r.textOrNumber(valueNode, "\(key).classes.\(cls)[\(i)]")
                        if let prior = classes[v], prior != target {
                            throw ConfigError(file: r.file, keyPath: "\(key).classes.\(cls)", line: r.line(vn),
                                              problem: "class value \"\(v)\" is mapped to both \(prior.rawValue) and \(cls)")
                        }
                        classes[v] = target
                    }
                }
            }
        }
        var config = LayerConfig(kind: kind, path: path, declaredPath: declared, crs: crs, fields: fields,
                                 explicitFields: explicit, classes: classes)
        config.constantClass = constantClass
        config.sourceIndex = sourceIndex
        if let ln = m["layer"] {
            config.layer = try r.string(ln, "\(key).layer")
            if config.isGeoJSON {
                throw ConfigError(file: r.file, keyPath: "\(key).layer", line: r.line(ln),
                                  problem: "a GeoJSON file has one layer: `layer:` is for files with several, such as a GeoPackage")
            }
        }
        return config
    }

    private static func parseParameters(_ node: Node, r: NodeReader) throws -> Parameters {
        var p = Parameters()
        let m = try r.mapping(node, "parameters", allowed: ["solar", "nature", "water", "heat"])
        if let sn = m["solar"] {
            let s = try r.mapping(sn, "parameters.solar", allowed: [
                "flat_max_slope_deg", "min_face_m2", "max_slope_deg", "max_dev_from_south_deg", "kwp_per_m2",
                "usable_fraction_flat", "usable_fraction_pitched", "specific_yield_kwh_per_kwp", "yield_factors"])
            func num(_ k: String, _ range: ClosedRange<Double>) throws -> Double? {
                try r.number(s, k, in: "parameters.solar", range: range)
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
                    // The raw text, not only the value: YAML 1.1 reads 0500 as octal 320, 0x1F4 as 500.
                    guard case .scalar(let sc) = b, sc.style == .plain, NodeReader.isPlainDecimalInteger(sc.string),
                          let v = b.int, v > 0 else {
                        throw ConfigError(file: r.file, keyPath: "parameters.nature.bands_m[\(i)]", line: r.line(b),
                                          problem: "\"\(b.string ?? "a list or mapping")\" is not a positive whole number of metres in plain decimal",
                                          hint: "write bands as decimal integers without leading zeros (YAML reads 0500 as octal), e.g. bands_m: [500, 1000]")
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
                try r.number(w, k, in: "parameters.water", range: range)
            }
            if let v = try num("min_depth_m", 0...100) { p.water.minDepthM = v }
            if let v = try num("deep_depth_m", 0...100) { p.water.deepDepthM = v }
            if let v = try num("design_storm_mm", 0...10000) { p.water.designStormMM = v }
            if let v = try num("c_sealed", 0...1) { p.water.cSealed = v }
            if let v = try num("c_unsealed", 0...1) { p.water.cUnsealed = v }
            if let v = try num("storage_mm_per_sealed_m2", 0...10000) { p.water.storageMMPerSealedM2 = v }
            if p.water.deepDepthM < p.water.minDepthM {
                let at = w["deep_depth_m"] ?? w["min_depth_m"] ?? wn
                throw ConfigError(file: r.file, keyPath: "parameters.water.deep_depth_m", line: r.line(at),
                                  problem: "deep_depth_m (\(p.water.deepDepthM)) is below min_depth_m (\(p.water.minDepthM)): deep water must be flooded too",
                                  hint: "make deep_depth_m at least min_depth_m (defaults 0.30 and 0.10)")
            }
        }
        if let hn = m["heat"] {
            p.heat = try parseHeat(hn, r: r)
        }
        return p
    }

    /// `parameters.heat`: PET thresholds (extreme above strong) and the exposure fractions,
    /// increasing in (0, 1).
    private static func parseHeat(_ node: Node, r: NodeReader) throws -> HeatParameters {
        let section = "parameters.heat"
        let h = try r.mapping(node, section, allowed: ["strong_pet_c", "extreme_pet_c", "exposure_fractions"])
        var heat = HeatParameters()
        if let v = try r.number(h, "strong_pet_c", in: section, range: -100...100) { heat.strongPetC = v }
        if let v = try r.number(h, "extreme_pet_c", in: section, range: -100...100) { heat.extremePetC = v }
        if heat.extremePetC <= heat.strongPetC {
            throw ConfigError(file: r.file, keyPath: "\(section).extreme_pet_c", line: r.line(h["extreme_pet_c"] ?? h["strong_pet_c"] ?? node),
                              problem: "extreme_pet_c (\(heat.extremePetC)) must be above strong_pet_c (\(heat.strongPetC))",
                              hint: "the national heat map's classes: strong from 35 °C PET, extreme from 41 °C")
        }
        if let fn = h["exposure_fractions"] {
            let key = "\(section).exposure_fractions"
            guard case .sequence(let seq) = fn, seq.count == 2 else {
                throw ConfigError(file: r.file, keyPath: key, line: r.line(fn),
                                  problem: "expected a list of two fractions", hint: "e.g. exposure_fractions: [0.25, 0.50]")
            }
            let values = try seq.enumerated().map { i, n in try r.number(n, "\(key)[\(i)]", range: 0...1) }
            guard values[0] > 0, values[0] < values[1], values[1] < 1 else {
                throw ConfigError(file: r.file, keyPath: key, line: r.line(fn),
                                  problem: "the fractions must increase strictly and lie between 0 and 1 (found \(values[0]), \(values[1]))",
                                  hint: "low below the first, medium below the second, high from it: e.g. [0.25, 0.50]")
            }
            heat.exposureFractions = values
        }
        return heat
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
            if let bad = values.indices.first(where: { $0 == 0 ? values[0] != first : values[$0] <= values[$0 - 1] }) {
                throw ConfigError(file: r.file, keyPath: "\(key).\(k)[\(bad)]", line: r.line(seq[bad]),
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
