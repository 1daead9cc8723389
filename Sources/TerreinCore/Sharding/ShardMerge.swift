import Foundation
import TerreinGeometry
import TerreinIO

/// What the merged manifest adds about the shards (docs/large-runs.md).
struct ShardedRunInfo: Encodable {
    struct ShardEntry: Encodable {
        var shard: Int
        var directory: String
        var terreinen: Int
        var threads: Int
        var started, finished: String
        var wallSeconds: Double
        var timings: [String: Double]
        var stageOrder: [String]
        var indicatorCPU: [String: Double]
        enum CodingKeys: String, CodingKey {
            case shard, directory, terreinen, threads, started, finished, timings
            case wallSeconds = "wall_s", stageOrder = "stage_order", indicatorCPU = "indicator_cpu_s"
        }
    }
    var planId: String
    var shardCount: Int
    /// What in this manifest differs from a single run's.
    var note: String
    var shards: [ShardEntry]
    enum CodingKeys: String, CodingKey {
        case note, shards
        case planId = "plan_id", shardCount = "shard_count"
    }

    static let noteText = "merged from shards: for roofs, landcover and inundation (read by each shard in its rectangle) "
        + "used, repaired and skipped add up over the shards' reads, and a feature near a shard boundary counts once per "
        + "shard that read it, and bbox_work_crs is that of the features the shards read; features is the layer's count; "
        + "cpu_s and indicator_cpu_s add up over the shards; "
        + "timings_s, started and finished are the merge's own, each shard's are under shards"
}

extension Runner {
    /// `terrein merge`: checks that `directories` are every shard of one plan, once, run on
    /// the same pipeline, inputs and Terrein, and writes the outputs a single run of the
    /// pipeline writes (the same bytes, but for the manifest) into `outputOverride` or the
    /// pipeline's output folder. The pipeline file is the plan's, unless `pipelinePath`.
    public static func merge(_ directories: [String], outputOverride: String?, pipelinePath: String?,
                             options: RunOptions, log: @escaping @Sendable (String) -> Void) throws -> RunSummary {
        let started = Date()
        let startedWall = ISO8601DateFormatter().string(from: started)
        var clock = StageClock()
        guard !directories.isEmpty else { throw ShardError("no shard folders given", hint: "give every shard's folder") }
        let shards = try directories.map { try ShardOutput.read(directory: $0) }
        try checkShards(shards, directories)
        clock.lap("read_shards")

        let first = shards[0]
        let pipeline = try Pipeline.load(path: pipelinePath ?? first.pipeline.file, outputOverride: outputOverride)
        guard pipeline.sha256 == first.pipeline.sha256 else {
            throw ShardError("\(pipeline.file) is not the pipeline file the shards ran (its SHA-256 is \(pipeline.sha256.prefix(12))…, theirs \(first.pipeline.sha256.prefix(12))…)",
                             hint: "give the pipeline file they ran with --pipeline, or run the shards again")
        }
        let lastChange = try sourceDate()
        let out = try OutputDirectory(target: pipeline.outputDirectory)
        // A merge is the run of the pipeline: it is what the run history records.
        try checkHistory(pipeline)

        // The terreinen (geometry, overlaps) and the sites (display) are small and read whole;
        // the rasters are opened for the manifest.
        var loadOptions = LoadOptions(strict: options.strict, threads: options.threads)
        loadOptions.onlyKinds = Set(LayerKind.allCases).subtracting(spatiallyFilteredKinds)
        var layers = try LoadedLayers.load(pipeline, options: loadOptions) { kind in log("reading \(kind.rawValue)") }
        let mine = dataPackageSources(pipeline, layers)
        for s in mine {
            guard let theirs = first.inputs.first(where: { $0.layer == s.title }), theirs.sha256 == s.sha256 else {
                throw ShardError("input \(s.title) (\(s.path)) changed since the shards ran",
                                 hint: "run the shards again on the current inputs (or restore the input)")
            }
        }
        // The other layers' counts, from the shards' reads.
        let byKind = Dictionary(grouping: shards.flatMap(\.layerStats).map(\.stats), by: \.layer)
        for kind in LayerKind.allCases where spatiallyFilteredKinds.contains(kind) {
            let perSource = Dictionary(grouping: byKind[kind] ?? [], by: { $0.sourceIndex ?? 0 })
            let sources = perSource.keys.sorted().map { StoredLayerStats.combined(perSource[$0]!) }
            if !sources.isEmpty {
                layers.sourceStats[kind] = sources
                layers.stats[kind] = sources.dropFirst().reduce(sources[0]) { $0.merged(with: $1) }
            }
        }
        clock.lap("read_reproject_repair")

        let schema = IndicatorSchema(parameters: pipeline.parameters)
        var results: [TerreinResult] = []
        for s in shards {
            for (record, cpu) in zip(s.records, s.cpuSeconds) {
                var r = try record.result(schema: schema)
                r.cpuSeconds = cpu
                results.append(r)
            }
        }
        results.sort { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
        let ids = Set(results.map { ByteKey($0.id) })
        guard ids.count == results.count, ids == Set(layers.terreinen.map { ByteKey($0.id) }) else {
            throw ShardError("the shards' terreinen are not those of \(pipeline.sources(.terreinen).first?.path ?? "the terreinen layer")",
                             hint: "the layer changed since the plan was made: make the plan again and run every shard")
        }
        clock.lap("indicators")

        // The overlaps over the whole terreinen layer: pairs across shards count too.
        let (indicators, regions, warnings, overlaps) = try tables(results, schema: schema, layers: layers, pipeline: pipeline)
        clock.lap("tables_overlaps")

        // The writers of `Runner.run`, on the same results.
        let sources = first.inputs.map { DataPackageWriter.Source(title: $0.layer, path: $0.path, sha256: $0.sha256) }
        let written = try writeOutputs(
            indicators: indicators, regions: regions, results: results, terreinen: layers.terreinen,
            natura2000: layers.natura2000, sources: sources,
            pipeline: pipeline, options: options, lastChange: lastChange, to: out, progress: ProgressReporter(enabled: false))
        var files = written.files
        clock.lap("write")

        let order = shards.indices.sorted { shards[$0].shard < shards[$1].shard }
        let info = ShardedRunInfo(
            planId: first.planId, shardCount: first.shardCount, note: ShardedRunInfo.noteText,
            shards: order.map { i in
                let s = shards[i]
                let cpu = schema.families.indices.map { k in s.cpuSeconds.reduce(0) { $0 + ($1.count > k ? $1[k] : 0) } }
                return .init(shard: s.shard, directory: URL(fileURLWithPath: directories[i]).standardizedFileURL.path,
                             terreinen: s.records.count, threads: s.threads, started: s.started, finished: s.finished,
                             wallSeconds: s.wallSeconds, timings: s.timings, stageOrder: s.stageOrder,
                             indicatorCPU: Dictionary(zip(schema.families.map(\.name), cpu.map(Manifest.ms)), uniquingKeysWith: +))
            })
        let manifest = try Manifest.build(pipeline: pipeline, options: options, layers: layers, schema: schema, results: results,
                                          stages: clock.stages, started: startedWall, finished: Date(),
                                          files: files, warnings: warnings, overlaps: overlaps, sharded: info)
        try out.write("manifest.json", manifest)
        files.append("manifest.json")
        try out.commit()
        let historyRunID = try appendHistory(pipeline, sources: sources, started: startedWall, indicators: indicators,
                                             regions: regions, indicatorsCSV: written.indicatorsCSV,
                                             regionsCSV: written.regionsCSV, geometries: written.geometries)
        return RunSummary(outputDirectory: pipeline.outputDirectory, files: files, terreinen: results.count,
                          regions: regions.rows.count, warnings: warnings, seconds: Date().timeIntervalSince(started),
                          historyRunID: historyRunID)
    }

    /// Every shard of one plan, once, from the same Terrein, pipeline and inputs; else an
    /// error naming the folders.
    static func checkShards(_ shards: [ShardOutput], _ directories: [String]) throws {
        let first = shards[0]
        func differing<T: Equatable>(_ value: (ShardOutput) -> T) -> [String] {
            zip(shards, directories).filter { value($0.0) != value(first) }.map(\.1)
        }
        func refuse(_ what: String, _ others: [String], _ hint: String) throws {
            guard !others.isEmpty else { return }
            throw ShardError("the shards come from different \(what): \(others.joined(separator: ", ")) against \(directories[0])", hint: hint)
        }
        try refuse("Terrein versions", differing(\.terreinVersion), "run every shard and the merge with one Terrein")
        try refuse("pipeline files", differing(\.pipeline.sha256), "run every shard on the pipeline file of the plan")
        try refuse("inputs", differing(\.inputs), "run every shard on the same input files")
        try refuse("plans", differing(\.planId), "merge the shards of one `terrein plan` (each shard.json names its plan_id)")
        var seen: [Int: String] = [:]
        for (s, dir) in zip(shards, directories) {
            if let other = seen[s.shard] {
                throw ShardError("shard \(s.shard)/\(s.shardCount) is given twice: \(other) and \(dir)", hint: "give each shard's folder once")
            }
            seen[s.shard] = dir
        }
        let missing = (1...first.shardCount).filter { seen[$0] == nil }
        if !missing.isEmpty {
            throw ShardError("missing shard(s) " + missing.map { "\($0)/\(first.shardCount)" }.joined(separator: ", ")
                             + " (given: " + directories.joined(separator: ", ") + ")",
                             hint: "run the missing shards (`terrein run PIPELINE --plan PLAN --shard K/\(first.shardCount)`) and give their folders too")
        }
    }
}
