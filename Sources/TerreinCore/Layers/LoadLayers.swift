import TerreinJSON
import Foundation
import TerreinGeometry
import TerreinIO

// MARK: Attribute reading

enum Attributes {
    /// The id of a terrein: a string as is, an integer in decimal.
    static func terreinId(_ v: JSONValue?, field: String, file: String, feature: Int) throws -> String {
        switch v {
        case .string(let s)?:
            return s
        case .integer(let i)?:
            return String(i)
        case nil, .null?:
            throw InputError(file: file, featureIndex: feature, problem: "terrein without an id (property \"\(field)\" is missing or null)",
                             hint: "every terrein needs a unique id; fill it in the source or map another field with layers.terreinen.fields.id")
        case .some(let other):
            throw InputError(file: file, featureIndex: feature,
                             problem: "terrein id must be a string or an integer, found \(other.typeName) \(other.jsonText.prefix(60))",
                             hint: "map a string or integer field with layers.terreinen.fields.id")
        }
    }

    /// Optional text attributes: strings as is, numbers and booleans as JSON text, null/missing nil.
    static func text(_ v: JSONValue?) -> String? {
        switch v {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .some(let other): return other.jsonText
        }
    }

    /// Numbers; strings are not numbers.
    static func number(_ v: JSONValue?) -> Double? { v?.doubleValue }
}

// MARK: Loading all layers

extension LoadedLayers {
    /// Reads every layer of the pipeline, in a fixed order, prepared in the work CRS.
    public static func load(_ pipeline: Pipeline, options: LoadOptions,
                            progress: (@Sendable (LayerKind) -> Void)? = nil) throws -> LoadedLayers {
        let workInfo = try lookUpCRS(pipeline.workCRS)
        var area: Bounds?
        if let a = workInfo.areaOfUse, let t = try? CRSTransformer(from: .wgs84, to: pipeline.workCRS, purpose: .roughBounds),
           let b = t.transformBounds(Bounds(minX: a.west, minY: a.south, maxX: a.east, maxY: a.north)) {
            area = b.expanded(by: 50_000)
        }
        let workArea = area
        // Layers are independent: read them in parallel (each thread with its own GEOS and
        // PROJ contexts), then merge in layer order. An error of the first layer in that
        // order wins, whatever the scheduling.
        // One unit per source: a layer has one, land cover one per entry of `sources:`. A large
        // GeoJSONSeq source is read in parts by several threads (`ReadParts`).
        let units = LayerKind.allCases.filter { options.onlyKinds?.contains($0) ?? true }.flatMap { pipeline.sources($0) }
        let partsOf = units.map { ReadParts.ranges($0, threads: options.threads) }
        // In source order (the parts of a split source in its place), the whole-file hashes of
        // split sources last. Not largest first: a source's cost is not its size (the Natura
        // 2000 sites' validity checks cost more per byte than anything else, and put last they
        // made the reading of a full run at scale L 2.5 s longer).
        var work: [ReadParts.Work] = []
        for u in units.indices {
            if let ranges = partsOf[u] {
                work += ranges.enumerated().map { .part(unit: u, range: $1, k: $0) }
            } else {
                work.append(.whole(unit: u))
            }
        }
        work += units.indices.filter { partsOf[$0] != nil }.map { .hash(unit: $0) }
        // The rasters beside the vector layers (opening one hashes its file: 0.4 s for the
        // scale-L heat raster, which was read alone after them). Their errors come after the
        // vector layers', as before.
        work += RasterLayerKind.allCases.filter { options.rasters && pipeline.rasters[$0] != nil }
            .map { .raster($0, after: units.count) }
        let pieces = work
        // A source that failed ends the reading of the sources after it (their errors could not
        // win); those before it are read on, since theirs would.
        let firstFailure = ReadParts.FirstFailure()
        let done = try parallelMap(count: pieces.count, threads: options.threads) { j -> ReadParts.Done in
            if firstFailure.isBefore(pieces[j].unit) { return .failed(ReadParts.NotRead()) }
            switch pieces[j] {
            case .whole(let u):
                do {
                    return .layers(try loadUnit(units[u], pipeline: pipeline, workArea: workArea, options: options,
                                                range: nil, progress: progress))
                } catch {
                    firstFailure.note(u)
                    return .failed(error)
                }
            case .part(let u, let range, let k):
                do {
                    return .layers(try loadUnit(units[u], pipeline: pipeline, workArea: workArea, options: options,
                                                range: range, progress: k == 0 ? progress : nil))
                } catch {
                    return .failed(error)
                }
            case .hash(let u):
                do { return .hash(try Hashing.sha256Hex(fileAt: units[u].path)) } catch { return .failed(error) }
            case .raster(let kind, _):
                do { return .raster(try RasterLayer(pipeline.rasters[kind]!, workCRS: pipeline.workCRS)) } catch { return .failed(error) }
            }
        }
        var hashes: [Int: String] = [:]
        var failedHashes = Set<Int>()
        for (w, piece) in pieces.enumerated() {
            guard case .hash(let u) = piece else { continue }
            if case .hash(let h) = done[w] { hashes[u] = h } else { failedHashes.insert(u) }
        }
        // Per unit, in unit order: its layers, from its parts put together, or read again in
        // one piece when a part failed (the error then is the one a single reader meets).
        var parts: [LoadedLayers] = []
        var w = 0
        for (u, config) in units.enumerated() {
            guard let ranges = partsOf[u] else {
                switch done[w] {
                case .layers(let l): parts.append(l)
                case .failed(let e): throw e
                case .hash, .raster: fatalError("unreachable: a whole source yields layers")
                }
                w += 1
                continue
            }
            let loaded = done[w..<(w + ranges.count)].compactMap { r -> LoadedLayers? in
                if case .layers(let l) = r { return l } else { return nil }
            }
            w += ranges.count
            guard loaded.count == ranges.count, let sha256 = hashes[u], !failedHashes.contains(u) else {
                parts.append(try loadUnit(config, pipeline: pipeline, workArea: workArea, options: options,
                                          range: nil, progress: nil))
                continue
            }
            let whole = ReadParts.join(loaded, kind: config.kind, sha256: sha256)
            try LayerLoader(config: config, workCRS: pipeline.workCRS, workArea: workArea, options: options)
                .checkLayer(whole.stats[config.kind]!)
            parts.append(whole)
        }
        // Merged in source order: land cover's features in source order, then feature order.
        var out = LoadedLayers()
        for part in parts {
            for var d in part.deferred {
                // Land cover of several sources: this source's features follow those before it.
                d.offset = d.kind == .landcover ? out.landcover?.count ?? 0 : 0
                out.deferred.append(d)
            }
            if !part.terreinen.isEmpty { out.terreinen = part.terreinen }
            if !part.roofs.isEmpty { out.roofs = part.roofs }
            out.natura2000 = part.natura2000 ?? out.natura2000
            if let lc = part.landcover { out.landcover = (out.landcover ?? []) + lc }
            out.inundation = part.inundation ?? out.inundation
            for (kind, s) in part.stats {
                out.sourceStats[kind, default: []].append(s)
                out.stats[kind] = out.stats[kind].map { $0.merged(with: s) } ?? s
            }
        }
        for (w, piece) in pieces.enumerated() {
            guard case .raster(let kind, _) = piece else { continue }
            switch done[w] {
            case .raster(let r): out.rasters[kind] = r
            case .failed(let e): throw e
            case .layers, .hash: fatalError("unreachable: a raster piece yields a raster")
            }
        }
        return out
    }

    /// One source read (or the bytes `range` of it), with its layer's own bookkeeping.
    static func loadUnit(_ config: LayerConfig, pipeline: Pipeline, workArea: Bounds?, options: LoadOptions,
                         range: Range<Int>?, progress: (@Sendable (LayerKind) -> Void)?) throws -> LoadedLayers {
        let kind = config.kind
        var out = LoadedLayers()
        progress?(kind)
        var loader = LayerLoader(config: config, workCRS: pipeline.workCRS, workArea: workArea, options: options)
        loader.range = range
        var stats: LayerStats
        // The features read without their geometry (`DeferredSource`), and how to read them again.
        var again = options
        again.deferKnownValid = false
        again.onBytesRead = nil
        again.threads = 1
        var deferred = DeferredSource(kind: kind, config: config, sequence: false, workCRS: pipeline.workCRS, options: again)
        switch kind {
        case .terreinen:
            // Ids compare as UTF-8 bytes (not String ==), and skipped terreinen's too.
            var seen: [ByteKey: Int] = [:]
            let idField = config.field("id")
            func checkId(_ index: Int, _ properties: JSONObject) throws -> String {
                let id = try Attributes.terreinId(properties[idField], field: idField, file: config.path, feature: index)
                if let first = seen[ByteKey(id)] {
                    throw InputError(file: config.path, featureIndex: index,
                                     problem: "duplicate terrein id \"\(id)\" (also feature \(first))",
                                     hint: "terrein ids must be unique: fix the source or map another id field")
                }
                seen[ByteKey(id)] = index
                return id
            }
            stats = try loader.load(onReset: { out.terreinen.removeAll(); seen.removeAll() },
                                    onSkipped: { _ = try checkId($0, $1) }) { p in
                let id = try checkId(p.index, p.properties)
            out.terreinen.append(Terrein(index: p.index, id: id,
                                             name: Attributes.text(p.properties[config.field("name")]),
                                             region: Attributes.text(p.properties[config.field("region")]),
                                             geometry: p.geometry, digest: p.digest))
            }
            if out.terreinen.isEmpty {
                throw InputError(file: config.path, problem: "the terreinen layer has no usable terrein",
                                 hint: "check the file with `terrein inspect \(config.declaredPath)`")
            }
        case .roofs:
            let sf = config.field("slope_deg"), af = config.field("azimuth_deg"), bf = config.field("building_id")
            stats = try loader.load(onReset: { out.roofs.removeAll(); deferred.removeAll() }) { p in
                let slopeValue = p.properties[sf]
                let slope: Double? = (slopeValue == nil || slopeValue == .null) ? 0 : Attributes.number(slopeValue)
                // A deferred face's area comes with its geometry (`IndexedLayers.set`).
                out.roofs.append(RoofFace(index: p.index, geometry: p.geometry, area: p.deferred == nil ? try p.geometry.area() : .nan,
                                          slope: slope, azimuth: Attributes.number(p.properties[af]),
                                          buildingId: Attributes.text(p.properties[bf]).flatMap { $0.isEmpty ? nil : $0 },
                                          digest: p.digest))
                if let d = p.deferred { deferred.add(position: out.roofs.count - 1, index: p.index, d) }
            }
        case .natura2000:
            var sites: [Site] = []
            stats = try loader.load(onReset: { sites.removeAll() }) { p in
                sites.append(Site(index: p.index, name: Attributes.text(p.properties[config.field("name")]), geometry: p.geometry,
                                  digest: p.digest))
            }
            out.natura2000 = sites
        case .landcover:
            var polys: [LandCoverPolygon] = []
            var unmapped: [String: Int] = [:]
            var perClass: [String: Int] = [:]
            let source = config.sourceIndex ?? 0
            stats = try loader.load(onReset: { polys.removeAll(); unmapped.removeAll(); perClass.removeAll(); deferred.removeAll() }) { p in
                let value = config.constantClass == nil ? Attributes.text(p.properties[config.field("class")]) ?? "" : ""
                let (cls, mapped) = config.landCoverClass(of: value)
                if !mapped { unmapped[value, default: 0] += 1 }
                perClass[cls.rawValue, default: 0] += 1
                polys.append(LandCoverPolygon(index: p.index, source: source, cls: cls, geometry: p.geometry, digest: p.digest))
                if let d = p.deferred { deferred.add(position: polys.count - 1, index: p.index, d) }
            }
            stats.unmappedClasses = unmapped
            stats.usedPerClass = perClass
            out.landcover = polys
        case .inundation:
            var polys: [InundationPolygon] = []
            var nonNumeric: [Int] = []
            stats = try loader.load(onReset: { polys.removeAll(); nonNumeric.removeAll(); deferred.removeAll() }) { p in
                let depth = Attributes.number(p.properties[config.field("depth_m")])
                if depth == nil { nonNumeric.append(p.index) }
                polys.append(InundationPolygon(index: p.index, depth: depth, geometry: p.geometry, digest: p.digest))
                if let d = p.deferred { deferred.add(position: polys.count - 1, index: p.index, d) }
            }
            stats.nonNumericDepths = nonNumeric.count
            stats.firstNonNumericDepths = Array(nonNumeric.prefix(LayerStats.firstFew))
            out.inundation = polys
        }
        stats.sourceIndex = config.sourceIndex
        stats.ogrLayer = config.layer
        out.stats[kind] = stats
        if !deferred.positions.isEmpty {
            // Read again in the CRS of this reading (a range alone does not see a `crs` member).
            deferred.config.crs = CRSIdentifier(parsing: stats.sourceCRS) ?? config.crs
            deferred.sequence = stats.encoding == GeoJSONEncoding.sequence.rawValue
            out.deferred = [deferred]
        }
        return out
    }
}
