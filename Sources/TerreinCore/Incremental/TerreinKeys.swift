import Foundation
import TerreinGDAL
import TerreinGeometry
import TerreinIO

/// What an incremental run compares per terrein (docs/incremental.md): one digest per part of
/// the inputs that can change the terrein's numbers. The key of a terrein is the digest of all
/// parts; the parts themselves are kept in the cache so that a recomputation can say why.
public enum KeyPart: String, CaseIterable, Sendable {
    /// Everything the run decides once for all terreinen: versions, grid, parameters, options,
    /// the schema, which layers are present, and run-wide choices made from a whole layer.
    case run
    /// The terrein's own feature: geometry (work CRS, as prepared) and mapped attributes.
    case terreinen
    /// The roof faces whose envelope touches the terrein's, in feature order.
    case roofs
    /// The land cover polygons whose envelope touches the terrein's, in source and feature order.
    case landcover
    /// The inundation polygons around the terrein, or the depth raster's window.
    case inundation
    /// The heat raster's window.
    case heat
    /// The whole Natura 2000 layer (every site's geometry and name, in order), the same for
    /// every terrein: the nearest site can be any site. Only the families that read the sites
    /// (`Incremental.naturaFamilies`) depend on it: when nothing but this part changed, the
    /// terrein is reused and those families are computed again.
    case natura2000
}

/// Digests of every prepared feature, in layer order: what the families see of it (its
/// geometry as built, `BuiltDigest`, which with the GEOS version in the run part determines the
/// prepared geometry; and the mapped attributes). The geometry digests are taken while reading,
/// from the buffers handed to GEOS: hashing each geometry's WKB from GEOS afterwards cost 3.2 s
/// of a full run at scale L.
struct FeatureHashes {
    var terreinen: [Digest32]
    var roofs: [Digest32]
    var landcover: [Digest32]?
    var inundation: [Digest32]?
    /// The whole Natura 2000 layer (`KeyPart.natura2000`).
    var natura2000: Digest32

    static func compute(_ layers: LoadedLayers, threads: Int) throws -> FeatureHashes {
        func each<T>(_ items: [T], _ body: @escaping @Sendable (T, inout DigestBuilder) throws -> Void) throws -> [Digest32] {
            // Chunks of 4,096 features: few tasks, each long enough to be worth a thread.
            let chunk = 4096
            let box = UncheckedBox(items)
            let parts = try parallelMap(count: (items.count + chunk - 1) / chunk, threads: threads) { c -> [Digest32] in
                let lo = c * chunk, hi = min(box.value.count, lo + chunk)
                var out: [Digest32] = []
                out.reserveCapacity(hi - lo)
                for i in lo..<hi {
                    var d = DigestBuilder()
                    try body(box.value[i], &d)
                    out.append(d.finish())
                }
                return out
            }
            return parts.flatMap { $0 }
        }
        let terreinen = try each(layers.terreinen) { t, d in
            d.add(t.digest)
            d.add(t.id); d.add(t.name); d.add(t.region)
        }
        let roofs = try each(layers.roofs) { r, d in
            d.add(r.digest)
            d.add(r.slope); d.add(r.azimuth); d.add(r.buildingId)
            // The feature index reaches the outputs only through the solar family's list of faces
            // with invalid attributes (the manifest's `roof_faces_invalid_attributes`): it is part
            // of the digest only where the attributes could be invalid, so that deleting a face
            // does not change the digest of every face after it.
            if !Self.attributesSurelyValid(r) { d.add(r.index) }
        }
        let landcover = try layers.landcover.map {
            try each($0) { p, d in d.add(p.digest); d.add(p.cls.rawValue) }
        }
        let inundation = try layers.inundation.map {
            try each($0) { p, d in d.add(p.digest); d.add(p.depth) }
        }
        var sites = DigestBuilder()
        if let natura2000 = layers.natura2000 {
            sites.add(natura2000.count)
            for site in natura2000 { sites.add(site.digest); sites.add(site.name) }
        } else {
            sites.add("absent")
        }
        return FeatureHashes(terreinen: terreinen, roofs: roofs, landcover: landcover, inundation: inundation,
                             natura2000: sites.finish())
    }

    /// A face that `Solar.assess` finds valid whatever the parameters (slope in [0, 90), azimuth
    /// in [0, 360]): its index never appears in a result.
    static func attributesSurelyValid(_ r: RoofFace) -> Bool {
        guard let s = r.slope, s.isFinite, s >= 0, s < 90 else { return false }
        guard let a = r.azimuth, a.isFinite, a >= 0, a <= 360 else { return false }
        return true
    }
}

/// A value handed to worker threads that only read it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// The key parts of one terrein.
struct TerreinKey: Sendable {
    var parts: [Digest32]  // in `KeyPart.allCases` order

    var key: Digest32 {
        var d = DigestBuilder()
        for p in parts { d.add(p) }
        return d.finish()
    }
}

enum TerreinKeys {
    /// The keys of all terreinen (in the order given), in parallel.
    ///
    /// `previous`, with `sameRasters`: the previous cache, and the raster layers whose identity
    /// (`rasterIdentity`) it shares. A raster part is the digest of the cells of the window
    /// around the terrein's envelope, a function of the raster's bytes and reading and of the
    /// terrein's geometry alone: where those are all unchanged, the stored part is taken
    /// instead of reading the window again (1.2 s of an incremental run at scale L, for the
    /// 412 MB heat raster). The run part (GDAL's version among the versions) is compared as
    /// before.
    static func compute(_ terreinen: [Terrein], indexed: IndexedLayers, hashes: FeatureHashes,
                        runPart: Digest32, previous: ResultCache? = nil, sameRasters: Set<KeyPart> = [],
                        threads: Int) throws -> [TerreinKey] {
        let positions = Dictionary(uniqueKeysWithValues: indexed.layers.terreinen.enumerated().map { (ByteKey($1.id), $0) })
        let terreinenPart = KeyPart.allCases.firstIndex(of: .terreinen)!
        let box = UncheckedBox((terreinen, indexed, hashes, positions, previous))
        return try parallelMap(count: terreinen.count, threads: threads) { i -> TerreinKey in
            let (terreinen, indexed, hashes, positions, previous) = box.value
            let t = terreinen[i]
            let layers = indexed.layers
            func features(_ index: SpatialIndex?, _ digests: [Digest32]?) -> Digest32 {
                var d = DigestBuilder()
                guard let index, let digests else { d.add("absent"); return d.finish() }
                let hits = index.query(t.geometry)
                d.add(hits.count)
                for h in hits { d.add(digests[h]) }
                return d.finish()
            }
            var parts = [Digest32](repeating: Digest32(), count: KeyPart.allCases.count)
            var stored: ResultCache.Entry?
            for (k, part) in KeyPart.allCases.enumerated() {
                if sameRasters.contains(part) {
                    // The terreinen part comes first: the terrein's geometry is known to be the same.
                    if stored == nil, let e = previous?.entries[ByteKey(t.id)], e.parts[terreinenPart] == parts[terreinenPart] { stored = e }
                    if let stored {
                        parts[k] = stored.parts[k]
                        continue
                    }
                }
                switch part {
                case .run: parts[k] = runPart
                case .terreinen: parts[k] = hashes.terreinen[positions[ByteKey(t.id)]!]
                case .roofs: parts[k] = features(indexed.roofs, hashes.roofs)
                case .landcover: parts[k] = features(indexed.landcover, hashes.landcover)
                case .inundation:
                    if let r = layers.rasters[.inundation] {
                        parts[k] = try rasterWindow(r, t.geometry)
                    } else {
                        parts[k] = features(indexed.inundation, hashes.inundation)
                    }
                case .heat:
                    if let r = layers.rasters[.heat] { parts[k] = try rasterWindow(r, t.geometry) } else {
                        var d = DigestBuilder(); d.add("absent"); parts[k] = d.finish()
                    }
                case .natura2000:
                    parts[k] = hashes.natura2000
                }
            }
            return TerreinKey(parts: parts)
        }
    }

    /// What a raster's window digests depend on besides the window: its file's bytes, and
    /// the grid, band and encoding it is read with (`rasterWindow`).
    static func rasterIdentity(_ r: RasterLayer) -> Digest32 {
        var d = DigestBuilder()
        d.add("raster-identity-v1")
        d.add(r.sha256)
        addInfo(r.info, to: &d)
        return d.finish()
    }

    private static func addInfo(_ i: RasterBandInfo, to d: inout DigestBuilder) {
        d.add(doubles: i.geoTransform)
        d.add(i.width); d.add(i.height); d.add(i.band); d.add(i.dataType)
        d.add(i.nodata); d.add(i.scale); d.add(i.offset); d.add(i.hasMask)
    }

    /// The raster's window around the geometry's envelope as read (values with scale and offset
    /// applied, invalid cells NaN), its position, and the raster's grid, band and encoding.
    static func rasterWindow(_ r: RasterLayer, _ g: Geometry) throws -> Digest32 {
        var d = DigestBuilder()
        d.add("raster")
        addInfo(r.info, to: &d)
        guard let b = g.bounds, let w = r.grid.window(covering: b) else { d.add("outside"); return d.finish() }
        let window: Raster.Window
        do {
            window = try r.withRaster { try $0.read(column: w.column, row: w.row, width: w.width, height: w.height) }
        } catch let e as RasterError {
            throw InputError(file: e.path, problem: e.problem, hint: e.hint)
        }
        d.add(w.column); d.add(w.row); d.add(w.width); d.add(w.height)
        d.add(doubles: window.values)
        return d.finish()
    }
}
