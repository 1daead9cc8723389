import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// The run manifest (`manifest.json`): versions, the pipeline's hash and resolved
/// parameters, every input with its hash and preparation counts, the output schema and
/// timings per stage and per family. A `Codable` document written by `JSONEncoder`, so a
/// value that cannot be encoded is an error, never a silently empty file.
struct Manifest: Encodable {
    static var terreinVersion: String { TerreinCore.terreinVersion }

    struct PipelineInfo: Encodable {
        var name, file, sha256: String
        /// The work CRS as the pipeline names it, and the one computed in (a compound
        /// CRS's horizontal part).
        var workCRS: String
        var workCRSUsed: String
        var outputDirectory: String
        var formats: [String]
        enum CodingKeys: String, CodingKey {
            case name, file, sha256, formats
            case workCRS = "work_crs", workCRSUsed = "work_crs_used", outputDirectory = "output_directory"
        }
    }

    struct Options: Encodable {
        var threads: Int
        var strict: Bool
        var language: String
    }

    struct FeatureNote: Encodable {
        var feature: Int
        var reason: String
    }

    /// A layer's reading CPU split by stage. The split is measured on the first
    /// `StageTiming.exact` features and then on one in `StageTiming.stride`, scaled up (timing
    /// every feature cost 17 % of reading), so the three are estimates whose sum is the pass's
    /// measured total.
    struct LayerCPU: Encodable {
        var parse, reproject, buildRepair: Double
        enum CodingKeys: String, CodingKey { case parse, reproject, buildRepair = "build_repair" }
    }

    struct Input: Encodable {
        var layer, path, sha256, encoding: String
        var sourceCRS, crsFrom: String
        /// The PROJ definition of the operation from the source CRS to the work CRS.
        var operation: String
        var features, used, repaired, skipped: Int
        var firstRepaired, firstSkipped: [FeatureNote]
        var repairReasons, skipReasons: [String: Int]
        var fields: [String: String]
        var cpuSeconds: LayerCPU
        var unmappedClasses: [String: Int]?
        var classes: [String: [String]]?
        var bboxWorkCRS: [Double]?
        /// Land cover given as `sources:`: the source's position in that list.
        var source: Int?
        /// The OGR layer read, when the pipeline names one.
        var ogrLayer: String?
        /// Land cover: the one class of a `class:` source.
        var constantClass: String?
        /// Land cover: used features per class.
        var usedPerClass: [String: Int]?
        enum CodingKeys: String, CodingKey {
            case layer, path, sha256, encoding, operation, features, used, repaired, skipped, fields, classes, source
            case ogrLayer = "ogr_layer", constantClass = "class", usedPerClass = "used_per_class"
            case sourceCRS = "source_crs", crsFrom = "crs_from"
            case firstRepaired = "first_repaired", firstSkipped = "first_skipped"
            case repairReasons = "repair_reasons", skipReasons = "skip_reasons"
            case cpuSeconds = "cpu_s", unmappedClasses = "unmapped_classes", bboxWorkCRS = "bbox_work_crs"
        }
    }

    /// The RDNAPTRANS2018 grid, when an operation of the run used it (docs/rd-new.md).
    struct GridFile: Encodable {
        var file, path, sha256: String
    }

    /// A raster layer: the file, its grid and its band.
    struct RasterInput: Encodable {
        var layer, path, sha256, crs, dataType: String
        var band, width, height: Int
        var cellWidth, cellHeight: Double
        var nodata: Double?
        var nodataIsNaN: Bool
        var scale, offset: Double
        var hasMask: Bool
        /// Terreinen in which no valid cell lies (the raster does not reach them, or only
        /// nodata there): their columns of this raster are null, not an error; the first ten ids.
        var terreinenWithoutValidCells: Int
        var firstTerreinenWithoutValidCells: [String]
        /// Terreinen that the raster covers only in part (docs/indicators.md, "Rasters").
        var terreinenCoveredInPart: Int
        enum CodingKeys: String, CodingKey {
            case layer, path, sha256, crs, band, width, height, nodata, scale, offset
            case dataType = "data_type", cellWidth = "cell_width", cellHeight = "cell_height"
            case nodataIsNaN = "nodata_is_nan", hasMask = "has_mask"
            case terreinenWithoutValidCells = "terreinen_without_valid_cells"
            case firstTerreinenWithoutValidCells = "first_terreinen_without_valid_cells"
            case terreinenCoveredInPart = "terreinen_covered_in_part"
        }
    }

    struct InvalidFaces: Encodable {
        var count: Int
        var first: [Int]
    }

    /// One output column as the schema describes it.
    struct SchemaColumn: Encodable {
        var name, family, kind: String
        var unit: String?
        var decimals: Int?
        var region: String
    }

    struct SchemaAccumulator: Encodable {
        var name, family, description: String
    }

    struct OutputSchema: Encodable {
        var indicators: [SchemaColumn]
        var accumulators: [SchemaAccumulator]
    }

    var terreinVersion: String
    var geosVersion: String
    var projVersion: String
    var pipeline: PipelineInfo
    var parameters: Parameters
    var options: Options
    var inputs: [Input]
    var rasterInputs: [RasterInput]
    var gdalVersion: String
    var rdGrid: GridFile?
    var schema: OutputSchema
    var roofFacesInvalidAttributes: InvalidFaces
    var overlappingTerreinPairs: Int
    var warnings: [String]
    var outputs: [String]
    var started: String
    var finished: String
    var timings: [String: Double]
    var stageOrder: [String]
    var indicatorCPU: [String: Double]
    /// A merged sharded run: the plan and each shard's timings (nil, and absent, otherwise).
    var sharded: ShardedRunInfo?
    /// Reuse from the previous results (docs/incremental.md).
    var incremental: IncrementalSummary?

    enum CodingKeys: String, CodingKey {
        case pipeline, parameters, options, inputs, schema, warnings, outputs, started, finished, sharded, incremental
        case rasterInputs = "raster_inputs", gdalVersion = "gdal_version", rdGrid = "rdnaptrans2018_grid"
        case terreinVersion = "terrein_version", geosVersion = "geos_version", projVersion = "proj_version"
        case roofFacesInvalidAttributes = "roof_faces_invalid_attributes"
        case overlappingTerreinPairs = "overlapping_terrein_pairs"
        case timings = "timings_s", stageOrder = "stage_order", indicatorCPU = "indicator_cpu_s"
    }

    static func ms(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

    static func build(pipeline: Pipeline, options: RunOptions, layers: LoadedLayers, schema: IndicatorSchema,
                      results: [TerreinResult], stages: [(String, Double)], started: String, finished: Date,
                      files: [String], warnings: [String], overlaps: Int, sharded: ShardedRunInfo? = nil,
                      incremental: IncrementalSummary? = nil) throws -> String {
        var inputs: [Input] = []
        // One entry per source: land cover from several sources has one for each, in order.
        for kind in LayerKind.allCases {
            for (s, config) in zip(layers.sourceStats[kind] ?? [], pipeline.sources(kind)) {
            var entry = Input(
                layer: kind.rawValue, path: config.declaredPath, sha256: s.sha256, encoding: s.encoding,
                sourceCRS: s.sourceCRS, crsFrom: s.crsSource, operation: s.operation, features: s.features, used: s.used,
                repaired: s.repaired, skipped: s.skipped,
                firstRepaired: s.firstRepaired.map { FeatureNote(feature: $0.index, reason: $0.reason) },
                firstSkipped: s.firstSkipped.map { FeatureNote(feature: $0.index, reason: $0.reason) },
                repairReasons: s.repairReasons, skipReasons: s.skipReasons, fields: config.fields,
                cpuSeconds: LayerCPU(parse: ms(s.parseSeconds), reproject: ms(s.reprojectSeconds),
                                     buildRepair: ms(s.buildRepairSeconds)))
            if kind == .landcover {
                entry.unmappedClasses = s.unmappedClasses
                if let c = config.constantClass {
                    entry.constantClass = c.rawValue
                    entry.fields = [:]
                } else {
                    entry.classes = Dictionary(grouping: config.classes.keys.sorted(), by: { config.classes[$0]!.rawValue })
                }
                entry.usedPerClass = s.usedPerClass
                entry.source = config.sourceIndex
            }
            entry.ogrLayer = config.layer
            if let b = s.bounds { entry.bboxWorkCRS = [b.minX, b.minY, b.maxX, b.maxY].map { ($0 * 100).rounded() / 100 } }
            inputs.append(entry)
            }
        }
        // The grid, once per run, when a layer or the GeoJSON output (work CRS → WGS84) used it.
        var grid: GridFile?
        let geojsonGrid = pipeline.formats.contains(.geojson)
            ? (try? CRSTransformer(from: pipeline.workCRS, to: .wgs84))?.gridPath : nil
        if inputs.contains(where: { $0.operation.contains(RDGrid.fileName) }) || geojsonGrid != nil,
           let path = try? RDGrid.locate() {
            grid = GridFile(file: RDGrid.fileName, path: path, sha256: try Hashing.sha256Hex(fileAt: path))
        }
        // Faces with invalid attributes that count in some terrein (by feature index).
        let invalid = Set(results.flatMap(\.solar.invalidFaces)).sorted()
        let manifest = Manifest(
            terreinVersion: terreinVersion, geosVersion: GEOSContext.version, projVersion: TerreinGeometry.projVersion,
            pipeline: PipelineInfo(name: pipeline.name, file: pipeline.file, sha256: pipeline.sha256,
                                   workCRS: pipeline.declaredWorkCRS.description, workCRSUsed: pipeline.workCRS.description,
                                   outputDirectory: pipeline.outputDirectory,
                                   formats: pipeline.formats.map(\.rawValue)),
            parameters: pipeline.parameters,
            options: Options(threads: options.threads, strict: options.strict, language: options.language),
            inputs: inputs, rasterInputs: rasterInputs(pipeline, layers, results), gdalVersion: TerreinGDAL.gdalVersion,
            rdGrid: grid, schema: outputSchema(schema),
            roofFacesInvalidAttributes: InvalidFaces(count: invalid.count, first: Array(invalid.prefix(10))),
            overlappingTerreinPairs: overlaps, warnings: warnings, outputs: files, started: started,
            finished: ISO8601DateFormatter().string(from: finished),
            timings: Dictionary(stages.map { ($0.0, ms($0.1)) }, uniquingKeysWith: +),
            stageOrder: stages.map(\.0),
            indicatorCPU: Dictionary(schema.cpuProfile(results).map { ($0.0, ms($0.1)) }, uniquingKeysWith: +),
            sharded: sharded, incremental: incremental)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n"
    }

    static func rasterInputs(_ pipeline: Pipeline, _ layers: LoadedLayers, _ results: [TerreinResult]) -> [RasterInput] {
        RasterLayerKind.allCases.compactMap { kind in
            guard let r = layers.rasters[kind] else { return nil }
            let i = r.info
            let coverage: [(id: String, cells: RasterCoverage)] = results.compactMap { r in
                let c: RasterCoverage? = kind == .heat ? r.heatCoverage : r.water.rasterCoverage
                return c.map { (r.id, $0) }
            }
            let nodataIsNaN = i.nodata?.isNaN ?? false
            // A terrein the raster does not reach (or only nodata there) simply has no valid
            // cells: counted here, with the first ids, not an error.
            let without = coverage.filter { $0.cells.validCells == 0 }.map(\.id)
            return RasterInput(layer: kind.rawValue, path: r.config.declaredPath, sha256: r.sha256, crs: r.crsName,
                               dataType: i.dataType, band: i.band, width: i.width, height: i.height,
                               cellWidth: i.geoTransform[1], cellHeight: i.geoTransform[5],
                               // JSON has no NaN: a NaN nodata value is said by the flag.
                               nodata: nodataIsNaN ? nil : i.nodata, nodataIsNaN: nodataIsNaN,
                               scale: i.scale, offset: i.offset, hasMask: i.hasMask,
                               terreinenWithoutValidCells: without.count, firstTerreinenWithoutValidCells: Array(without.prefix(10)),
                               terreinenCoveredInPart: coverage.filter { $0.cells.validCells > 0 && $0.cells.coveredInPart }.count)
        }
    }

    static func outputSchema(_ schema: IndicatorSchema) -> OutputSchema {
        func rule(_ r: RegionRule) -> String {
            switch r {
            case .none: return "none"
            case .key: return "key"
            case .memberCount: return "count of terreinen"
            case .sum: return "sum"
            case .min: return "min"
            case .countTrue: return "count of terreinen where true"
            case .ratio(let n, let d): return "sum(\(n)) / sum(\(d))"
            case .cellWeightedMean(let s, let c): return "sum(\(s)) / sum(\(c))"
            case .classOf(let c): return "class of the region's \(c)"
            }
        }
        let columns = schema.allColumns.map { c -> SchemaColumn in
            var kind = "", decimals: Int?
            switch c.kind {
            case .number(let d): kind = "number"; decimals = d
            case .count: kind = "count"
            case .boolean: kind = "boolean"
            case .text: kind = "text"
            case .classLabel(let labels): kind = "class(" + labels.joined(separator: ",") + ")"
            }
            return SchemaColumn(name: c.name, family: c.family, kind: kind, unit: c.unit, decimals: decimals,
                                region: rule(c.regionRule))
        }
        let accumulators = schema.accumulators.flatMap { $0 }.map {
            SchemaAccumulator(name: $0.name, family: $0.family, description: $0.description)
        }
        return OutputSchema(indicators: columns, accumulators: accumulators)
    }
}
