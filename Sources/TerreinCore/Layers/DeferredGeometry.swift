import Foundation
import TerreinGeometry
import TerreinIO

// Deferred geometry (docs/incremental.md, "Deferred geometry"). An incremental run reuses most
// terreinen, and what it needs of the features around a reused terrein is their digest and
// envelope (the keys, the index), never their GEOS geometry. So a feature that the validity
// cache vouches for is read, checked, transformed and hashed as always, but not built: its
// `geometry` is `Geometry.deferred`, and its envelope is taken from the coordinates on the way.
// Once the run knows which terreinen it computes, `IndexedLayers.materialize` reads exactly the
// features those need a second time (their own bytes only), builds them, and checks that each
// comes out with the digest the first reading gave.
//
// Why: at scale L, building 1.65 million GEOS polygons and the memory they take (about 1 GB,
// first touched page by page) was most of an incremental run's reading (docs/performance.md).

/// A feature read without its GEOS geometry.
struct DeferredGeometry: Sendable {
    /// GEOS's envelope of the geometry it would build: the union of its polygons' shells.
    var bounds: Bounds
    /// The feature object's bytes in its file (`GeoJSONFeature.byteRange`).
    var byteRange: Range<Int>
}

/// The envelope of the polygons handed to GEOS, as GEOS computes it: a polygon's envelope is
/// its shell's (a valid polygon's holes lie inside it), a multipolygon's the union of those.
/// One per reading pass, reset per feature.
final class ShellBounds {
    private(set) var bounds: Bounds?

    func start() { bounds = nil }

    func add(_ xy: UnsafeBufferPointer<Double>, _ ringEnds: UnsafeBufferPointer<Int>) {
        guard let shellEnd = ringEnds.first, shellEnd >= 2 else { return }
        var b = Bounds(minX: xy[0], minY: xy[1], maxX: xy[0], maxY: xy[1])
        var i = 2
        while i < shellEnd {
            b.minX = min(b.minX, xy[i]); b.maxX = max(b.maxX, xy[i])
            b.minY = min(b.minY, xy[i + 1]); b.maxY = max(b.maxY, xy[i + 1])
            i += 2
        }
        if bounds == nil { bounds = b } else { bounds!.formUnion(b) }
    }
}

/// The deferred features of one source of a layer.
struct DeferredSource: Sendable {
    var kind: LayerKind
    /// The source, with `crs:` set to the CRS its features were read in (a range read alone
    /// does not see a FeatureCollection's `crs` member).
    var config: LayerConfig
    /// Whether neighbouring records may be read as one range (a GeoJSONSeq file; the features
    /// of a FeatureCollection are separated by commas, so each is read alone).
    var sequence: Bool
    /// The work CRS and the options of the first reading, without deferral.
    var workCRS: CRSIdentifier
    var options: LoadOptions
    /// The position of the source's first feature in its layer's array (land cover from
    /// several sources follows the sources before it).
    var offset = 0
    /// Per deferred feature, ascending: its position in the source's part of the array, its
    /// index in the file, and what the first reading found.
    var positions: [Int] = []
    var indices: [Int] = []
    var features: [DeferredGeometry] = []

    mutating func add(position: Int, index: Int, _ d: DeferredGeometry) {
        positions.append(position)
        indices.append(index)
        features.append(d)
    }

    mutating func removeAll() {
        positions.removeAll()
        indices.removeAll()
        features.removeAll()
    }

    /// The parts of one source put together (`ReadParts.join`): part k has `counts[k]` used
    /// features and `fileCounts[k]` features in all; nil when no part deferred any.
    static func join(_ parts: [DeferredSource?], counts: [Int], fileCounts: [Int]) -> DeferredSource? {
        guard var out = parts.lazy.compactMap({ $0 }).first else { return nil }
        out.removeAll()
        var position = 0, index = 0
        for (k, part) in parts.enumerated() {
            if let p = part {
                out.positions += p.positions.map { $0 + position }
                out.indices += p.indices.map { $0 + index }
                out.features += p.features
            }
            position += counts[k]
            index += fileCounts[k]
        }
        return out
    }
}

extension IndexedLayers {
    /// The envelopes of a layer's features for its index: each geometry's, or for a deferred
    /// feature what its reading found.
    static func bounds(_ geometries: [Geometry], deferred: [DeferredSource], kind: LayerKind) -> [Bounds?] {
        var bounds = geometries.map { $0.isDeferred ? nil : $0.bounds }
        for source in deferred where source.kind == kind {
            for (k, p) in source.positions.enumerated() { bounds[source.offset + p] = source.features[k].bounds }
        }
        return bounds
    }

    /// Builds the deferred features among `positions` of layer `kind` (others are left as they
    /// are): each is read again from its own bytes in the file, prepared the same way, and must
    /// come out with the digest of the first reading; a file that changed in between is an error.
    func materialize(_ kind: LayerKind, _ positions: [Int], threads: Int) throws {
        let sources = layers.deferred.filter { $0.kind == kind }
        guard !sources.isEmpty, !positions.isEmpty else { return }
        let geometries = index(kind)?.geometries ?? []
        // What to read, per source: runs of deferred features, in file order.
        struct Batch { var source: Int; var slots: [Int] }
        var batches: [Batch] = []
        let wanted = Set(positions).sorted()
        for (s, source) in sources.enumerated() {
            var slots: [Int] = []
            for p in wanted {
                let local = p - source.offset
                guard local >= 0, geometries.indices.contains(p), geometries[p].isDeferred,
                      let slot = Self.search(source.positions, local) else { continue }
                slots.append(slot)
            }
            var run: [Int] = []
            for slot in slots {
                // One range for neighbouring records of a sequence, up to 256 of them.
                if let last = run.last, !(source.sequence && source.indices[slot] == source.indices[last] + 1 && run.count < 256) {
                    batches.append(Batch(source: s, slots: run))
                    run = []
                }
                run.append(slot)
            }
            if !run.isEmpty { batches.append(Batch(source: s, slots: run)) }
        }
        // Tasks of consecutive batches of one source, each read by one loader (one PROJ
        // transformer and one set of buffers for all its ranges).
        var tasks: [[Int]] = []
        let perTask = max(1, batches.count / (4 * max(1, threads)))
        for (b, batch) in batches.enumerated() {
            if let last = tasks.last?.last, batches[last].source == batch.source, tasks[tasks.count - 1].count < perTask {
                tasks[tasks.count - 1].append(b)
            } else {
                tasks.append([b])
            }
        }
        let box = UncheckedBox((sources, batches, tasks, self))
        let built = try parallelMap(count: tasks.count, threads: threads) { t -> [Geometry] in
            let (sources, batches, tasks, me) = box.value
            let source = sources[batches[tasks[t][0]].source]
            let slots = tasks[t].flatMap { batches[$0].slots }
            var loader = LayerLoader(config: source.config, workCRS: source.workCRS, workArea: nil, options: source.options)
            loader.ranges = tasks[t].map {
                let run = batches[$0].slots
                return source.features[run.first!].byteRange.lowerBound..<source.features[run.last!].byteRange.upperBound
            }
            var out: [Geometry] = []
            var changed: Int?
            var why = "it does not read the same the second time"
            do {
                _ = try loader.load { p in
                    let k = out.count
                    guard k < slots.count else { changed = changed ?? source.indices[slots.last!] + 1; return }
                    let position = source.offset + source.positions[slots[k]]
                    if p.digest != me.digest(kind, position) || p.geometry.isDeferred { changed = changed ?? source.indices[slots[k]] }
                    out.append(p.geometry)
                }
                if out.count < slots.count { changed = changed ?? source.indices[slots[out.count]] }
            } catch {
                // The bytes are no longer a feature there.
                changed = changed ?? source.indices[slots[min(out.count, slots.count - 1)]]
                why = "reading it again failed (\((error as? InputError)?.problem ?? "\(error)"))"
            }
            if let changed {
                throw InputError(file: source.config.path, featureIndex: changed,
                                 problem: "the file changed while this run read it: \(why)",
                                 hint: "run again once the file is no longer being written (write a new file under another name and rename it into place)")
            }
            return out
        }
        for (t, task) in tasks.enumerated() {
            let slots = task.flatMap { batches[$0].slots }
            let source = sources[batches[task[0]].source]
            for (k, slot) in slots.enumerated() {
                try set(kind, position: source.offset + source.positions[slot], built[t][k])
            }
        }
    }

    /// The positions of the sorted `positions` equal to `p`, by bisection.
    static func search(_ positions: [Int], _ p: Int) -> Int? {
        var lo = 0, hi = positions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if positions[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        return lo < positions.count && positions[lo] == p ? lo : nil
    }
}
