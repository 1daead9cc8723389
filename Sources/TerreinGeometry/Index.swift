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

/// A GEOS STRtree over the geometries of one layer, answering with feature positions.
///
/// The tree is built (by GEOS, lazily on first query) once, in `init`, so that it is
/// only read afterwards: concurrent queries from worker threads, each with its own
/// context, then touch no shared mutable state.
public final class SpatialIndex: @unchecked Sendable {
    private let tree: OpaquePointer
    /// The indexed geometries, kept alive for as long as the tree refers to them.
    public let geometries: [Geometry]

    public init(_ geometries: [Geometry]) throws {
        let ctx = GEOSContext.current.handle
        guard let t = GEOSSTRtree_create_r(ctx, 10) else { throw GEOSContext.current.takeError("STRtree") }
        tree = t
        self.geometries = geometries
        for (i, g) in geometries.enumerated() {
            // The item is the position + 1 (a null item pointer would be ambiguous).
            GEOSSTRtree_insert_r(ctx, t, g.handle, UnsafeMutableRawPointer(bitPattern: i + 1))
        }
        // Force the build now, single-threaded.
        if let any = geometries.first { _ = query(any) }
    }

    deinit { GEOSSTRtree_destroy_r(GEOSContext.current.handle, tree) }

    /// Positions of the geometries whose envelope intersects `g`'s envelope, ascending.
    public func query(_ g: Geometry) -> [Int] {
        var hits: [Int] = []
        withUnsafeMutablePointer(to: &hits) { hitsPtr in
            GEOSSTRtree_query_r(GEOSContext.current.handle, tree, g.handle, { item, userData in
                let hits = userData!.assumingMemoryBound(to: [Int].self)
                hits.pointee.append(Int(bitPattern: item) - 1)
            }, hitsPtr)
        }
        hits.sort()
        return hits
    }

    /// Positions of geometries whose envelope comes within `distance` of `g`'s envelope.
    public func query(_ g: Geometry, within distance: Double) throws -> [Int] {
        guard let b = g.bounds else { return [] }
        let e = b.expanded(by: distance)
        let box = try Geometry.polygon(rings: [[e.minX, e.minY, e.maxX, e.minY, e.maxX, e.maxY, e.minX, e.maxY, e.minX, e.minY]])
        return query(box)
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
