import Foundation
import TerreinGeometry
import TerreinIO

/// A partition of a pipeline's terreinen into shards (`terrein plan`, docs/large-runs.md):
/// which terreinen each shard computes and the rectangle of the layers it needs, with what
/// the plan was made from (Terrein version, pipeline file and every input by SHA-256), so
/// that a shard's run and the merge can refuse anything else. `planId` is the SHA-256 of
/// the plan's own JSON with `planId` empty.
public struct ShardPlan: Codable, Sendable {
    /// The version of this file's layout; a plan of another version is not read.
    public static let formatVersion = 1
    /// How a terrein's expected work is counted.
    public static let weightRule = "1 + the roof faces whose envelope centre lies in the terrein's envelope"

    public var format: Int
    public var planId: String
    public var terreinVersion: String
    public var pipeline: PipelineRef
    public var inputs: [InputRef]
    public var shardCount: Int
    public var weightRule: String
    /// The land cover judgement (`IndexedLayers.looksLikeCoverage`) on the whole layer: a
    /// shard reads only part of it and must choose the union algorithm a single run chooses.
    public var landcoverIsCoverage: Bool
    public var shards: [Shard]

    public struct PipelineRef: Codable, Sendable, Equatable {
        public var name, file, sha256: String
    }

    /// One input file (a land cover source, a raster) as the data package names it.
    public struct InputRef: Codable, Sendable, Equatable {
        public var layer, path, sha256: String
    }

    public struct Shard: Codable, Sendable {
        /// 1-based.
        public var shard: Int
        /// Sum of its terreinen's weights (`weightRule`).
        public var weight: Int
        /// The union of its terreinen's envelopes, work CRS: minX, minY, maxX, maxY.
        public var bbox: [Double]
        /// Its terrein ids, sorted as UTF-8 bytes.
        public var terreinen: [String]
    }

    enum CodingKeys: String, CodingKey {
        case format, pipeline, inputs, shards
        case planId = "plan_id", terreinVersion = "terrein_version", shardCount = "shard_count"
        case weightRule = "weight_rule", landcoverIsCoverage = "landcover_is_coverage"
    }

    /// The plan's JSON (sorted keys, pretty), with `planId` set from the rest.
    public func rendered() throws -> String {
        var p = self
        p.planId = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        p.planId = Hashing.sha256Hex(try encoder.encode(p))
        return String(decoding: try encoder.encode(p), as: UTF8.self) + "\n"
    }

    /// Reads a plan file, checking its layout version and its id.
    public static func read(path: String) throws -> ShardPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardError("\(path): cannot read the plan file", hint: "make it with `terrein plan PIPELINE --shards N --out \(path)`")
        }
        let plan: ShardPlan
        do { plan = try JSONDecoder().decode(ShardPlan.self, from: data) } catch {
            throw ShardError("\(path): not a Terrein plan file (\(error))", hint: "make it again with `terrein plan`")
        }
        guard plan.format == formatVersion else {
            throw ShardError("\(path): plan format \(plan.format), this Terrein reads \(formatVersion)", hint: "make the plan again with this Terrein")
        }
        var check = plan
        check.planId = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard Hashing.sha256Hex(try encoder.encode(check)) == plan.planId else {
            throw ShardError("\(path): the plan's content does not match its plan_id (edited by hand?)", hint: "make the plan again with `terrein plan`")
        }
        return plan
    }

    /// The pipeline's inputs by SHA-256, as a run's data package lists them (a Shapefile: the
    /// hash of its files' hashes).
    static func inputRefs(_ pipeline: Pipeline) throws -> [InputRef] {
        var out: [InputRef] = []
        for kind in LayerKind.allCases {
            for config in pipeline.sources(kind) {
                let hashes = try OGRLayerSource.files(of: config.path).map { try Hashing.sha256Hex(fileAt: $0) }
                out.append(InputRef(layer: kind.rawValue + (config.sourceIndex.map { ".sources[\($0)]" } ?? ""), path: config.declaredPath,
                                    sha256: hashes.count == 1 ? hashes[0] : Hashing.sha256Hex(Data(hashes.joined(separator: "\n").utf8))))
            }
        }
        for kind in RasterLayerKind.allCases {
            guard let r = pipeline.rasters[kind] else { continue }
            out.append(InputRef(layer: kind.rawValue, path: r.declaredPath, sha256: try Hashing.sha256Hex(fileAt: r.path)))
        }
        return out
    }
}

/// A plan, shard or merge that cannot go on: the wrong shards, a changed input, a bad plan.
public struct ShardError: Error, CustomStringConvertible, Sendable {
    public var problem: String
    public var hint: String
    public init(_ problem: String, hint: String) {
        self.problem = problem
        self.hint = hint
    }
    public var description: String { problem + (hint.isEmpty ? "" : "\n  → " + hint) }
}

public enum ShardPlanner {
    /// Reads the terreinen, roofs and land cover, and cuts the terreinen, ordered along a
    /// Hilbert curve of their envelope centres, into `count` contiguous runs of about equal
    /// weight (`ShardPlan.weightRule`). Deterministic: the same inputs give the same plan.
    public static func plan(_ pipeline: Pipeline, shards count: Int, threads: Int) throws -> ShardPlan {
        guard count >= 1 else { throw ShardError("--shards \(count): at least 1 shard", hint: "give --shards 1 or more") }
        var options = LoadOptions(strict: false, threads: threads)
        options.onlyKinds = [.terreinen, .roofs, .landcover]
        options.rasters = false
        let layers = try LoadedLayers.load(pipeline, options: options)
        let terreinen = layers.terreinen.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
        guard count <= terreinen.count else {
            throw ShardError("--shards \(count) is more than the \(terreinen.count) terreinen of \(pipeline.file)",
                             hint: "give at most --shards \(terreinen.count)")
        }
        let envelopes = terreinen.map { $0.geometry.bounds ?? Bounds(minX: 0, minY: 0, maxX: 0, maxY: 0) }
        let roofCentres = layers.roofs.compactMap { r in r.geometry.bounds.map { (($0.minX + $0.maxX) / 2, ($0.minY + $0.maxY) / 2) } }
        let weights = zip(envelopes, roofsPerEnvelope(envelopes, roofCentres)).map { 1 + $0.1 }
        let order = hilbertOrder(envelopes, ids: terreinen.map(\.id))
        let cuts = cut(order.map { weights[$0] }, into: count)
        var shards: [ShardPlan.Shard] = []
        for k in 0..<count {
            let members = order[cuts[k]..<cuts[k + 1]]
            var box = envelopes[members.first!]
            for i in members { box.formUnion(envelopes[i]) }
            shards.append(ShardPlan.Shard(
                shard: k + 1, weight: members.reduce(0) { $0 + weights[$1] },
                bbox: [box.minX, box.minY, box.maxX, box.maxY],
                terreinen: members.map { terreinen[$0].id }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }))
        }
        let coverage = try layers.landcover.map { try IndexedLayers.looksLikeCoverage(try SpatialIndex($0.map(\.geometry))) } ?? false
        return ShardPlan(format: ShardPlan.formatVersion, planId: "", terreinVersion: terreinVersion,
                         pipeline: .init(name: pipeline.name, file: URL(fileURLWithPath: pipeline.file).standardizedFileURL.path, sha256: pipeline.sha256),
                         inputs: try ShardPlan.inputRefs(pipeline), shardCount: count, weightRule: ShardPlan.weightRule,
                         landcoverIsCoverage: coverage, shards: shards)
    }

    /// For each envelope, how many of `points` lie in it (edges included), through a grid of
    /// at most 512 × 512 cells over the envelopes.
    static func roofsPerEnvelope(_ envelopes: [Bounds], _ points: [(Double, Double)]) -> [Int] {
        guard var all = envelopes.first else { return [] }
        for e in envelopes { all.formUnion(e) }
        let cell = max((max(all.maxX - all.minX, all.maxY - all.minY)) / 512, 1)
        let columns = Int(((all.maxX - all.minX) / cell).rounded(.down)) + 1
        func key(_ x: Double, _ y: Double) -> Int {
            Int(((y - all.minY) / cell).rounded(.down)) * columns + Int(((x - all.minX) / cell).rounded(.down))
        }
        var grid: [Int: [Int]] = [:]
        for (i, e) in envelopes.enumerated() {
            let c0 = Int(((e.minX - all.minX) / cell).rounded(.down)), c1 = Int(((e.maxX - all.minX) / cell).rounded(.down))
            let r0 = Int(((e.minY - all.minY) / cell).rounded(.down)), r1 = Int(((e.maxY - all.minY) / cell).rounded(.down))
            for r in r0...r1 { for c in c0...c1 { grid[r * columns + c, default: []].append(i) } }
        }
        var counts = [Int](repeating: 0, count: envelopes.count)
        for (x, y) in points where x >= all.minX && x <= all.maxX && y >= all.minY && y <= all.maxY {
            for i in grid[key(x, y)] ?? [] {
                let e = envelopes[i]
                if x >= e.minX && x <= e.maxX && y >= e.minY && y <= e.maxY { counts[i] += 1 }
            }
        }
        return counts
    }

    /// Positions ordered along a Hilbert curve (2^16 × 2^16 over the square around the
    /// envelope centres), ties by id as UTF-8 bytes.
    static func hilbertOrder(_ envelopes: [Bounds], ids: [String]) -> [Int] {
        let centres = envelopes.map { (($0.minX + $0.maxX) / 2, ($0.minY + $0.maxY) / 2) }
        let minX = centres.map(\.0).min() ?? 0, minY = centres.map(\.1).min() ?? 0
        let span = max((centres.map(\.0).max() ?? 0) - minX, (centres.map(\.1).max() ?? 0) - minY)
        let side = 1 << 16
        func q(_ v: Double, _ origin: Double) -> Int {
            span > 0 ? min(side - 1, max(0, Int(((v - origin) / span * Double(side - 1)).rounded(.down)))) : 0
        }
        let keys = centres.map { hilbertIndex(q($0.0, minX), q($0.1, minY), side: side) }
        return envelopes.indices.sorted {
            keys[$0] != keys[$1] ? keys[$0] < keys[$1] : Array(ids[$0].utf8).lexicographicallyPrecedes(Array(ids[$1].utf8))
        }
    }

    /// The distance along the Hilbert curve of a `side` × `side` grid (side a power of 2).
    static func hilbertIndex(_ x0: Int, _ y0: Int, side: Int) -> Int {
        var x = x0, y = y0, d = 0
        var s = side / 2
        while s > 0 {
            let rx = (x & s) > 0 ? 1 : 0, ry = (y & s) > 0 ? 1 : 0
            d += s * s * ((3 * rx) ^ ry)
            if ry == 0 {
                if rx == 1 { x = side - 1 - x; y = side - 1 - y }
                swap(&x, &y)
            }
            s /= 2
        }
        return d
    }

    /// Boundaries b[0] = 0 < b[1] < ... < b[n] = weights.count of `n` contiguous runs whose
    /// sums come closest to equal: each cut where the running sum is nearest k/n of the total,
    /// every run keeping at least one item.
    static func cut(_ weights: [Int], into n: Int) -> [Int] {
        let m = weights.count
        var prefix = [0]
        for w in weights { prefix.append(prefix.last! + w) }
        let total = prefix[m]
        var b = [0]
        for k in 1..<n {
            // First i with prefix[i] * n >= k * total, or the one before when that is nearer.
            var i = b[k - 1] + 1
            while i < m && prefix[i] * n < k * total { i += 1 }
            if i - 1 > b[k - 1], abs(prefix[i - 1] * n - k * total) <= abs(prefix[i] * n - k * total) { i -= 1 }
            b.append(min(max(i, b[k - 1] + 1), m - (n - k)))
        }
        b.append(m)
        return b
    }
}

/// Where plans and shard outputs go by default: beside the run's output folder.
public enum ShardLayout {
    /// `<outputs.directory>-shards/plan.json`.
    public static func planPath(_ pipeline: Pipeline) -> String { pipeline.outputDirectory + "-shards/plan.json" }
    /// `<outputs.directory>-shards/shard-K-of-N`.
    public static func shardDirectory(_ pipeline: Pipeline, shard k: Int, of n: Int) -> String {
        pipeline.outputDirectory + "-shards/shard-\(k)-of-\(n)"
    }
}
