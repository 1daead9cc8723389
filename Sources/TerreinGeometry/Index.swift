import Foundation
import CGEOS

/// A prepared geometry for repeated predicates against one geometry. Owned by the
/// thread that created it (GEOS prepared geometries build caches lazily).
public final class PreparedGeometry {
    let handle: OpaquePointer
    /// Kept alive: a prepared geometry refers to its base geometry.
    public let base: Geometry

    public init(_ base: Geometry) throws {
        guard let h = GEOSPrepare_r(GEOSContext.current.handle, base.handle) else {
            throw GEOSContext.current.takeError("prepare")
        }
        self.handle = h
        self.base = base
    }

    deinit { GEOSPreparedGeom_destroy_r(GEOSContext.current.handle, handle) }

    private func check(_ r: CChar, _ op: String) throws -> Bool {
        if r == 2 { throw GEOSContext.current.takeError(op) }
        return r == 1
    }

    public func containsProperly(_ g: Geometry) throws -> Bool {
        try check(GEOSPreparedContainsProperly_r(GEOSContext.current.handle, handle, g.handle), "contains properly")
    }

    public func intersects(_ g: Geometry) throws -> Bool {
        try check(GEOSPreparedIntersects_r(GEOSContext.current.handle, handle, g.handle), "intersects")
    }

    public func distance(_ g: Geometry) throws -> Double {
        var d = 0.0
        guard GEOSPreparedDistance_r(GEOSContext.current.handle, handle, g.handle, &d) == 1 else {
            throw GEOSContext.current.takeError("prepared distance")
        }
        return d
    }
}

/// A packed STR tree over the envelopes of one layer's geometries, answering with feature
/// positions: those whose envelope meets the query's (closed intervals, as GEOS's
/// `Envelope::intersects`), ascending. Geometries without an envelope (empty) are never found.
///
/// Hand-written in place of GEOS's STRtree because an incremental run indexes features whose
/// GEOS geometry it never builds (`LoadedLayers.deferred`, docs/incremental.md): GEOS can only
/// index a geometry. The answer is a set defined by the envelopes alone, so it is the same
/// whichever tree finds it (tested against a scan of every envelope, `SpatialIndexTests`).
/// Measured against GEOS's: the index stage of a full run at scale L took 0.62 s against
/// 0.92 s (with the layers' trees built in parallel; docs/performance.md).
/// Built once, in `init`, and only read afterwards (concurrent queries from worker threads
/// touch no shared mutable state); `replace` swaps in a geometry built later, before queries.
public final class SpatialIndex: @unchecked Sendable {
    /// The indexed geometries by position (placeholders for deferred features until replaced).
    public private(set) var geometries: [Geometry]
    /// Node capacity: 16 children per node (the GEOS STRtree it replaced had 10).
    private static let fan = 16
    /// Every level's boxes, leaves (one per indexed geometry, in packed order) first, the root
    /// last; four doubles per box (minX, minY, maxX, maxY).
    private let boxes: [Double]
    /// Where each level starts in `boxes` (in boxes) and how many it has.
    private let levelStart: [Int]
    private let levelCount: [Int]
    /// The position of the geometry of each leaf.
    private let items: [Int32]

    public convenience init(_ geometries: [Geometry]) throws {
        self.init(geometries, bounds: geometries.map(\.bounds))
    }

    /// `bounds[i]`: the envelope of geometry i (nil: not indexed), given when the geometry
    /// itself is not built yet.
    public init(_ geometries: [Geometry], bounds: [Bounds?]) {
        precondition(geometries.count == bounds.count && geometries.count < Int(Int32.max))
        self.geometries = geometries
        // STR packing (Leutenegger et al.): sort by centre x, cut into vertical slices of
        // whole leaves, sort each slice by centre y. Ties go by position: the tree is a
        // function of the envelopes (not that the answer depends on it). Sorted as (key,
        // position) pairs: a comparison that looked the envelopes up made the build of the
        // scale-L roof index twice as slow.
        struct Keyed: Comparable {
            var key: Double, position: Int32
            static func < (a: Keyed, b: Keyed) -> Bool { a.key != b.key ? a.key < b.key : a.position < b.position }
        }
        var byX = [Keyed]()
        byX.reserveCapacity(bounds.count)
        for (i, b) in bounds.enumerated() {
            if let b { byX.append(Keyed(key: b.minX + b.maxX, position: Int32(i))) }
        }
        byX.sort()
        let fan = Self.fan
        let leaves = (byX.count + fan - 1) / fan
        let slices = max(1, Int(Double(leaves).squareRoot().rounded(.up)))
        let perSlice = ((leaves + slices - 1) / slices) * fan
        var order = [Int32]()
        order.reserveCapacity(byX.count)
        var lo = 0
        while lo < byX.count {
            let hi = min(byX.count, lo + perSlice)
            var slice = byX[lo..<hi].map { k -> Keyed in
                let b = bounds[Int(k.position)]!
                return Keyed(key: b.minY + b.maxY, position: k.position)
            }
            slice.sort()
            order += slice.map(\.position)
            lo = hi
        }
        items = order
        var boxes = [Double]()
        boxes.reserveCapacity(4 * (order.count + order.count / (fan - 1) + 2))
        for i in order {
            let b = bounds[Int(i)]!
            boxes.append(b.minX); boxes.append(b.minY); boxes.append(b.maxX); boxes.append(b.maxY)
        }
        var starts = [0], counts = [order.count]
        while counts.last! > 1 {
            let start = starts.last!, count = counts.last!
            let parentStart = boxes.count / 4
            var k = 0
            while k < count {
                let e = min(count, k + fan)
                var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
                for c in (start + k)..<(start + e) {
                    minX = min(minX, boxes[4 * c]); minY = min(minY, boxes[4 * c + 1])
                    maxX = max(maxX, boxes[4 * c + 2]); maxY = max(maxY, boxes[4 * c + 3])
                }
                boxes.append(minX); boxes.append(minY); boxes.append(maxX); boxes.append(maxY)
                k = e
            }
            starts.append(parentStart)
            counts.append((count + fan - 1) / fan)
        }
        self.boxes = boxes
        levelStart = starts
        levelCount = counts
    }

    /// The geometry at `position`, built after the index (a deferred feature's).
    public func replace(_ position: Int, with g: Geometry) { geometries[position] = g }

    /// Positions of the geometries whose envelope intersects `g`'s envelope, ascending.
    public func query(_ g: Geometry) -> [Int] {
        guard let b = g.bounds else { return [] }
        return query(b)
    }

    /// Positions of the geometries whose envelope intersects `q` (closed), ascending.
    public func query(_ q: Bounds) -> [Int] {
        var hits: [Int] = []
        guard !items.isEmpty else { return hits }
        let fan = Self.fan
        boxes.withUnsafeBufferPointer { box in
            func meets(_ c: Int) -> Bool {
                !(q.minX > box[4 * c + 2] || q.maxX < box[4 * c] || q.minY > box[4 * c + 3] || q.maxY < box[4 * c + 1])
            }
            // Depth-first over (level, entry within the level).
            var stack: [(Int, Int)] = [(levelCount.count - 1, 0)]
            while let (level, k) = stack.popLast() {
                guard meets(levelStart[level] + k) else { continue }
                if level == 0 {
                    hits.append(Int(items[k]))
                    continue
                }
                let first = k * fan, last = min(levelCount[level - 1], first + fan)
                for c in first..<last { stack.append((level - 1, c)) }
            }
        }
        hits.sort()
        return hits
    }

    /// Positions of geometries whose envelope comes within `distance` of `g`'s envelope.
    public func query(_ g: Geometry, within distance: Double) throws -> [Int] {
        guard let b = g.bounds else { return [] }
        return query(b.expanded(by: distance))
    }
}

/// Prepared versions of a layer's geometries, created lazily and kept per thread (a GEOS
/// prepared geometry builds its indexes on first use and must not be shared between
/// threads). Used for big geometries that many terreinen test against, such as Natura
/// 2000 sites: the site's segment index is then built once per thread, not per terrein.
///
/// A thread finds its cache through a thread-specific value of a pthread key owned by this
/// object, not through `pthread_self()`: thread ids are reused once a thread has exited, so
/// a new thread could otherwise be handed the cache (and the GEOS state) of a dead one.
/// The caches themselves are owned here (the thread-specific value is an unretained
/// pointer), so they are released with this object whichever thread made them; a thread
/// that exits leaves its cache here until then, and no other thread can reach it.
public final class PreparedPerThread: @unchecked Sendable {
    public let geometries: [Geometry]
    private let lock = NSLock()
    private var caches: [Cache] = []
    private var key = pthread_key_t()

    /// One thread's prepared geometries by position; only that thread touches `prepared`.
    private final class Cache {
        var prepared: [Int: PreparedGeometry] = [:]
    }

    public init(_ geometries: [Geometry]) {
        self.geometries = geometries
        // No destructor: the values are unretained pointers to caches owned by `caches`.
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "pthread_key_create failed (\(rc))")
    }

    deinit { pthread_key_delete(key) }

    public func prepared(_ index: Int) throws -> PreparedGeometry {
        let cache: Cache
        if let raw = pthread_getspecific(key) {
            cache = Unmanaged<Cache>.fromOpaque(raw).takeUnretainedValue()
        } else {
            cache = Cache()
            lock.lock()
            caches.append(cache)
            lock.unlock()
            let rc = pthread_setspecific(key, Unmanaged.passUnretained(cache).toOpaque())
            precondition(rc == 0, "pthread_setspecific failed (\(rc))")
        }
        if let p = cache.prepared[index] { return p }
        let p = try PreparedGeometry(geometries[index])
        cache.prepared[index] = p
        return p
    }
}
