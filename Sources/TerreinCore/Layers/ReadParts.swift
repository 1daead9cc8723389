import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TerreinIO

/// A large GeoJSONSeq source read in parts: the file is cut at line ends into byte ranges, one
/// per thread, and each part is parsed, built and checked by its own thread (its own reader,
/// its own allocations), then the parts are put together in file order with their feature
/// indices shifted: the same features, indices, counts and notes as one reader gives. The file
/// is hashed whole beside the parts. A part that fails (a syntax error, or a cut that is not a
/// record boundary in a file whose records span lines) makes the source be read again in one
/// piece, so that errors are exactly those of one reader.
///
/// Why: one thread per source left the roof faces' thread the critical path of reading (at
/// scale L 13 s for 280 MB and a million faces while the second core had finished the other
/// layers: docs/performance.md, "Reading a source in parts").
enum ReadParts {
    /// One piece of the reading stage.
    enum Work {
        case whole(unit: Int)
        case part(unit: Int, range: Range<Int>, k: Int)
        case hash(unit: Int)
        /// A raster layer opened and checked (its file hashed), after every vector source.
        case raster(RasterLayerKind, after: Int)

        var unit: Int {
            switch self {
            case .whole(let u), .hash(let u): return u
            case .part(let u, _, _): return u
            case .raster(_, let after): return after
            }
        }
    }

    /// A piece not read because a source before it failed.
    struct NotRead: Error {}

    /// The first source (in source order) whose reading failed, shared by the reading threads.
    final class FirstFailure: @unchecked Sendable {
        private let lock = NSLock()
        private var unit = Int.max
        func note(_ u: Int) { lock.lock(); unit = min(unit, u); lock.unlock() }
        /// Whether a source before `u` failed.
        func isBefore(_ u: Int) -> Bool { lock.lock(); defer { lock.unlock() }; return unit < u }
    }

    enum Done: @unchecked Sendable {
        case layers(LoadedLayers)
        case failed(any Error)
        case hash(String)
        case raster(RasterLayer)
    }

    /// Each part is at least this large.
    static let minimumPartBytes = 32 << 20

    /// The byte ranges to read `config` in, nil for one piece: a GeoJSONSeq source (by its
    /// extension) of at least two parts' size, in a run with threads to spare; never the
    /// terreinen (their ids are checked across the layer). `TERREIN_READ_PARTS=N` cuts every
    /// such file into N parts whatever its size (the tests compare), `=1` never.
    static func ranges(_ config: LayerConfig, threads: Int) -> [Range<Int>]? {
        guard threads > 1, config.isGeoJSON, config.kind != .terreinen else { return nil }
        let ext = (config.path as NSString).pathExtension.lowercased()
        guard GeoJSONReader.sequenceExtensions.contains(ext) else { return nil }
        guard let size = (try? FileManager.default.attributesOfItem(atPath: config.path)[.size] as? Int), size > 0 else { return nil }
        var n = min(threads, size / minimumPartBytes)
        if let forced = ProcessInfo.processInfo.environment["TERREIN_READ_PARTS"].flatMap(Int.init) { n = forced }
        guard n >= 2 else { return nil }
        let fd = open(config.path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var cuts = [0]
        for i in 1..<n {
            guard let cut = lineStart(fd: fd, from: max(size * i / n, cuts.last! + 1), size: size), cut < size else { break }
            cuts.append(cut)
        }
        cuts.append(size)
        guard cuts.count >= 3 else { return nil }
        return (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
    }

    /// The offset just after the first line feed at or after `from`, nil when there is none.
    private static func lineStart(fd: Int32, from: Int, size: Int) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var at = from
        while at < size {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
            guard n > 0 else { return nil }
            if let i = buffer[0..<n].firstIndex(of: 0x0A) { return at + i + 1 }
            at += n
        }
        return nil
    }

    /// The parts of one source, in file order, as one reader would have given them.
    static func join(_ parts: [LoadedLayers], kind: LayerKind, sha256: String) -> LoadedLayers {
        var out = LoadedLayers()
        var stats: LayerStats?
        var offset = 0
        var deferred: [DeferredSource?] = [], counts: [Int] = [], fileCounts: [Int] = []
        for var p in parts {
            // Deferred features: positions shift by the used features before, indices by all.
            let used = p.roofs.count + (p.landcover?.count ?? 0) + (p.inundation?.count ?? 0) + (p.natura2000?.count ?? 0)
            deferred.append(p.deferred.first)
            counts.append(used)
            fileCounts.append(p.stats[kind]!.features)
            var s = p.stats[kind]!
            if offset > 0 {
                for i in p.roofs.indices { p.roofs[i].index += offset }
                for i in (p.landcover ?? []).indices { p.landcover![i].index += offset }
                for i in (p.inundation ?? []).indices { p.inundation![i].index += offset }
                for i in (p.natura2000 ?? []).indices { p.natura2000![i].index += offset }
                s.firstRepaired = s.firstRepaired.map { ($0.index + offset, $0.reason) }
                s.firstSkipped = s.firstSkipped.map { ($0.index + offset, $0.reason) }
                s.firstNonNumericDepths = s.firstNonNumericDepths.map { $0 + offset }
            }
            offset += s.features
            out.roofs += p.roofs
            if let l = p.landcover { out.landcover = (out.landcover ?? []) + l }
            if let l = p.inundation { out.inundation = (out.inundation ?? []) + l }
            if let l = p.natura2000 { out.natura2000 = (out.natura2000 ?? []) + l }
            if let m = stats {
                var joined = m.merged(with: s)
                joined.firstNonNumericDepths = Array((m.firstNonNumericDepths + s.firstNonNumericDepths).prefix(LayerStats.firstFew))
                stats = joined
            } else {
                stats = s
            }
        }
        stats?.sha256 = sha256
        out.stats[kind] = stats
        if let joined = DeferredSource.join(deferred, counts: counts, fileCounts: fileCounts) {
            out.deferred = [joined]
        }
        return out
    }
}
