import Foundation
import TerreinGeometry
import TerreinIO

/// What one shard's run leaves in its folder (`shard.json`, docs/large-runs.md): the plan and
/// inputs it ran on, its terreinen's results stored exactly (`ResultRecord`: the unrounded
/// cells and accumulators the region rows need, and the details the manifest counts), its
/// reading counts per input source and its timings.
public struct ShardOutput: Codable, Sendable {
    public static let formatVersion = 1
    public static let fileName = "shard.json"

    public var format: Int
    public var planId: String
    public var shard: Int
    public var shardCount: Int
    public var terreinVersion: String
    public var pipeline: ShardPlan.PipelineRef
    /// The inputs as this shard read them (checked against the plan's).
    public var inputs: [ShardPlan.InputRef]
    public var records: [ResultRecord]
    /// CPU seconds per record and family.
    public var cpuSeconds: [[Double]]
    /// Per vector input source (in the pipeline's order) what this shard's read found.
    public var layerStats: [StoredLayerStats]
    public var threads: Int
    public var started: String
    public var finished: String
    public var wallSeconds: Double
    public var timings: [String: Double]
    public var stageOrder: [String]

    enum CodingKeys: String, CodingKey {
        case format, shard, pipeline, inputs, records, threads, started, finished, timings
        case planId = "plan_id", shardCount = "shard_count", terreinVersion = "terrein_version"
        case cpuSeconds = "cpu_s", layerStats = "layer_stats", wallSeconds = "wall_s", stageOrder = "stage_order"
    }

    /// Reads `shard.json` of a shard's folder.
    public static func read(directory: String) throws -> ShardOutput {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardError("\(directory): no \(fileName) (not the folder of a finished `terrein run --shard K/N`)",
                             hint: "give the folders the shard runs wrote (their --output), after each has finished")
        }
        let out: ShardOutput
        do { out = try JSONDecoder().decode(ShardOutput.self, from: data) } catch {
            throw ShardError("\(path): not a Terrein shard output (\(error))", hint: "run that shard again")
        }
        guard out.format == formatVersion else {
            throw ShardError("\(path): shard format \(out.format), this Terrein reads \(formatVersion)",
                             hint: "run the shards and the merge with the same Terrein")
        }
        return out
    }
}

/// `LayerStats` as stored in a shard's output.
public struct StoredLayerStats: Codable, Sendable {
    public struct Note: Codable, Sendable { var index: Int; var reason: String }
    var layer, path, sha256, encoding, sourceCRS, crsSource, operation: String
    var features, used, repaired, skipped, filteredOut: Int
    var firstRepaired, firstSkipped: [Note]
    var repairReasons, skipReasons, unmappedClasses, usedPerClass: [String: Int]
    var sourceIndex: Int?
    var ogrLayer: String?
    var invalidRoofAttributes, nonNumericDepths: Int
    var firstNonNumericDepths, firstInvalidRoofAttributes: [Int]
    var bounds: [Double]?
    var parseSeconds, reprojectSeconds, buildRepairSeconds: Double

    init(_ s: LayerStats) {
        layer = s.layer.rawValue; path = s.path; sha256 = s.sha256; encoding = s.encoding; sourceCRS = s.sourceCRS
        crsSource = s.crsSource; operation = s.operation
        features = s.features; used = s.used; repaired = s.repaired; skipped = s.skipped; filteredOut = s.filteredOut
        firstRepaired = s.firstRepaired.map { Note(index: $0.index, reason: $0.reason) }
        firstSkipped = s.firstSkipped.map { Note(index: $0.index, reason: $0.reason) }
        repairReasons = s.repairReasons; skipReasons = s.skipReasons; unmappedClasses = s.unmappedClasses; usedPerClass = s.usedPerClass
        sourceIndex = s.sourceIndex; ogrLayer = s.ogrLayer
        invalidRoofAttributes = s.invalidRoofAttributes; nonNumericDepths = s.nonNumericDepths
        firstNonNumericDepths = s.firstNonNumericDepths; firstInvalidRoofAttributes = s.firstInvalidRoofAttributes
        bounds = s.bounds.map { [$0.minX, $0.minY, $0.maxX, $0.maxY] }
        parseSeconds = s.parseSeconds; reprojectSeconds = s.reprojectSeconds; buildRepairSeconds = s.buildRepairSeconds
    }

    var stats: LayerStats {
        var s = LayerStats(layer: LayerKind(rawValue: layer) ?? .roofs, path: path)
        s.sha256 = sha256; s.encoding = encoding; s.sourceCRS = sourceCRS; s.crsSource = crsSource; s.operation = operation
        s.features = features; s.used = used; s.repaired = repaired; s.skipped = skipped; s.filteredOut = filteredOut
        s.firstRepaired = firstRepaired.map { ($0.index, $0.reason) }
        s.firstSkipped = firstSkipped.map { ($0.index, $0.reason) }
        s.repairReasons = repairReasons; s.skipReasons = skipReasons; s.unmappedClasses = unmappedClasses; s.usedPerClass = usedPerClass
        s.sourceIndex = sourceIndex; s.ogrLayer = ogrLayer
        s.invalidRoofAttributes = invalidRoofAttributes; s.nonNumericDepths = nonNumericDepths
        s.firstNonNumericDepths = firstNonNumericDepths; s.firstInvalidRoofAttributes = firstInvalidRoofAttributes
        s.bounds = bounds.map { Bounds(minX: $0[0], minY: $0[1], maxX: $0[2], maxY: $0[3]) }
        s.parseSeconds = parseSeconds; s.reprojectSeconds = reprojectSeconds; s.buildRepairSeconds = buildRepairSeconds
        return s
    }

    /// One source's stats over all shards of a spatially filtered layer: every shard saw the
    /// layer's `features`; used, repaired and skipped add up over the shards' reads (a
    /// feature near a boundary is read by each shard whose rectangle it meets).
    static func combined(_ parts: [LayerStats]) -> LayerStats {
        var m = parts[0]
        for o in parts.dropFirst() {
            let features = m.features
            m = m.merged(with: o)
            m.features = features
        }
        m.firstRepaired = Array(parts.flatMap(\.firstRepaired).sorted { $0.index < $1.index }.prefix(LayerStats.firstFew))
        m.firstSkipped = Array(parts.flatMap(\.firstSkipped).sorted { $0.index < $1.index }.prefix(LayerStats.firstFew))
        m.firstNonNumericDepths = Array(Set(parts.flatMap(\.firstNonNumericDepths)).sorted().prefix(LayerStats.firstFew))
        return m
    }
}

/// The vector layers a shard reads only in part (its rectangle); terreinen and Natura 2000
/// sites are read whole (the nearest site may lie far outside the shard).
let spatiallyFilteredKinds: Set<LayerKind> = [.roofs, .landcover, .inundation]

extension Runner {
    /// `terrein run --shard K/N`: computes the terreinen of shard `k` of `plan` and writes
    /// `shard.json` into `outputDirectory` atomically.
    public static func runShard(_ pipeline: Pipeline, plan: ShardPlan, shard k: Int, outputDirectory: String,
                                options: RunOptions, log: @escaping @Sendable (String) -> Void) throws -> RunSummary {
        let started = Date()
        var clock = StageClock()
        guard plan.terreinVersion == terreinVersion else {
            throw ShardError("the plan was made by Terrein \(plan.terreinVersion), this is \(terreinVersion)",
                             hint: "make the plan again (`terrein plan`) with the Terrein that runs the shards")
        }
        guard plan.pipeline.sha256 == pipeline.sha256 else {
            throw ShardError("the plan was made for another pipeline file (\(plan.pipeline.file), SHA-256 \(plan.pipeline.sha256.prefix(12))…) than \(pipeline.file) (\(pipeline.sha256.prefix(12))…)",
                             hint: "make the plan again with `terrein plan \(pipeline.file) --shards \(plan.shardCount)`")
        }
        guard k >= 1 && k <= plan.shardCount, plan.shards.count == plan.shardCount, plan.shards[k - 1].shard == k else {
            throw ShardError("--shard \(k)/\(plan.shardCount): the plan has shards 1 to \(plan.shardCount)",
                             hint: "give --shard K/\(plan.shardCount) with 1 ≤ K ≤ \(plan.shardCount)")
        }
        let part = plan.shards[k - 1]
        let out = try OutputDirectory(target: outputDirectory)
        var loadOptions = LoadOptions(strict: options.strict, threads: options.threads)
        // A metre around the union of the shard's terrein envelopes: any feature that can
        // count in one of them meets it.
        loadOptions.spatialFilter = Bounds(minX: part.bbox[0], minY: part.bbox[1], maxX: part.bbox[2], maxY: part.bbox[3]).expanded(by: 1)
        loadOptions.filteredKinds = spatiallyFilteredKinds
        var layers = try LoadedLayers.load(pipeline, options: loadOptions) { kind in log("reading \(kind.rawValue)") }
        clock.lap("read_reproject_repair")
        let inputs = dataPackageSources(pipeline, layers).map { ShardPlan.InputRef(layer: $0.title, path: $0.path, sha256: $0.sha256) }
        for (now, then) in zip(inputs, plan.inputs) where now != then {
            throw ShardError("input \(now.layer) (\(now.path)) changed since the plan was made (SHA-256 \(now.sha256.prefix(12))…, the plan has \(then.sha256.prefix(12))…)",
                             hint: "make the plan again with `terrein plan` and run every shard on it")
        }
        guard inputs.count == plan.inputs.count else {
            throw ShardError("the pipeline's inputs are not the plan's", hint: "make the plan again with `terrein plan`")
        }
        let wanted = Set(part.terreinen.map(ByteKey.init))
        let all = layers.terreinen
        layers.terreinen = all.filter { wanted.contains(ByteKey($0.id)) }
        guard layers.terreinen.count == wanted.count else {
            throw ShardError("shard \(k)/\(plan.shardCount): \(wanted.count - layers.terreinen.count) of its terreinen are not in the terreinen layer",
                             hint: "the layer changed since the plan was made: make the plan again")
        }
        let indexed = try onLayers(LayerKind.allCases, of: pipeline, "indexing the layers") {
            try IndexedLayers(layers, landcoverIsCoverage: plan.landcoverIsCoverage)
        }
        clock.lap("index")
        let schema = IndicatorSchema(parameters: pipeline.parameters)
        // With the display features the merge's report and GeoPackage draw.
        let results = try compute(indexed, schema: schema, parameters: pipeline.parameters, threads: options.threads,
                                  collectDisplay: pipeline.wantsDisplay)
        clock.lap("indicators")
        let records = try results.map { try ResultRecord($0, schema: schema) }
        var stats: [StoredLayerStats] = []
        for kind in LayerKind.allCases { for s in layers.sourceStats[kind] ?? [] { stats.append(StoredLayerStats(s)) } }
        let finished = Date()
        let output = ShardOutput(
            format: ShardOutput.formatVersion, planId: plan.planId, shard: k, shardCount: plan.shardCount,
            terreinVersion: terreinVersion, pipeline: plan.pipeline, inputs: inputs, records: records,
            cpuSeconds: results.map(\.cpuSeconds), layerStats: stats, threads: options.threads,
            started: ISO8601DateFormatter().string(from: started), finished: ISO8601DateFormatter().string(from: finished),
            wallSeconds: Manifest.ms(finished.timeIntervalSince(started)),
            timings: Dictionary(clock.stages.map { ($0.0, Manifest.ms($0.1)) }, uniquingKeysWith: +),
            stageOrder: clock.stages.map(\.0))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try out.write(ShardOutput.fileName, try encoder.encode(output))
        try out.commit()
        return RunSummary(outputDirectory: outputDirectory, files: [ShardOutput.fileName], terreinen: results.count,
                          regions: 0, warnings: [], seconds: Date().timeIntervalSince(started))
    }
}
