import Foundation
import XCTest
@testable import TerreinSynth

final class SampleGeneratorTests: XCTestCase {
    static let layerFiles = ["terreinen.geojson", "roofs.geojsonl", "natura2000.geojson",
                             "landcover.geojson", "bgt_waterdeel.geojson", "inundation.geojson"]

    private func makeSample(seed: UInt64, _ name: String) throws -> (ScratchDirectory, SynthSummary) {
        let dir = try ScratchDirectory(name)
        let summary = try generate(SynthOptions(scale: .sample, seed: seed, outputDirectory: dir.url,
                                                reproject: ApproxRD.reproject))
        return (dir, summary)
    }

    func testSameSeedGivesIdenticalBytes() throws {
        let (a, sa) = try makeSample(seed: 42, "sample-a")
        let (b, sb) = try makeSample(seed: 42, "sample-b")
        defer { a.cleanUp(); b.cleanUp() }
        XCTAssertEqual(sa.layers, sb.layers)
        for f in Self.layerFiles + ["README.md"] {
            XCTAssertEqual(try a.data(f), try b.data(f), f)
        }
    }

    func testDifferentSeedGivesDifferentData() throws {
        let (a, _) = try makeSample(seed: 42, "sample-42")
        let (b, _) = try makeSample(seed: 43, "sample-43")
        defer { a.cleanUp(); b.cleanUp() }
        for f in ["roofs.geojsonl", "landcover.geojson", "inundation.geojson", "natura2000.geojson"] {
            XCTAssertNotEqual(try a.data(f), try b.data(f), f)
        }
    }

    func testSampleNeedsAReprojection() throws {
        let dir = try ScratchDirectory("sample-noproj")
        defer { dir.cleanUp() }
        XCTAssertThrowsError(try generate(SynthOptions(scale: .sample, seed: 42, outputDirectory: dir.url))) { e in
            XCTAssertEqual(e as? SynthError, .missingReprojection(layer: "natura2000"))
        }
    }

    func testReprojectionFailureIsReported() throws {
        let dir = try ScratchDirectory("sample-badproj")
        defer { dir.cleanUp() }
        // Axes left in metres: not a longitude/latitude pair.
        let identity: Reproject = { _ in }
        XCTAssertThrowsError(try generate(SynthOptions(scale: .sample, seed: 42, outputDirectory: dir.url,
                                                       reproject: identity))) { e in
            guard case .reprojection = e as? SynthError else { return XCTFail("\(e)") }
        }
    }

    /// Every seed must keep the properties the README promises; check two.
    func testSampleContentAndDeliberateImperfections() throws {
        for seed: UInt64 in [42, 7] {
            let (dir, summary) = try makeSample(seed: seed, "sample-content-\(seed)")
            defer { dir.cleanUp() }
            try checkSample(dir, summary, seed: seed)
        }
    }

    private func checkSample(_ dir: ScratchDirectory, _ summary: SynthSummary, seed: UInt64) throws {
        let ctx = "seed \(seed)"
        // Terreinen: RD New with the legacy crs member, string ids, names, regions.
        let (tTop, terreinen) = try readCollection(dir.file("terreinen.geojson"))
        XCTAssertEqual(crsName(tTop), "urn:ogc:def:crs:EPSG::28992", ctx)
        XCTAssertEqual(terreinen.count, 11, ctx)
        XCTAssertEqual(summary["terreinen"]?.features, 11)
        let ids = terreinen.compactMap { $0.string("id") }
        XCTAssertEqual(ids.count, terreinen.count, "every id is a string")
        XCTAssertEqual(Set(ids).count, ids.count, "ids are unique")
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("KTW-") })
        XCTAssertTrue(terreinen.allSatisfy { ($0.string("naam") ?? "").isEmpty == false })
        let regions = Set(terreinen.compactMap { $0.string("gemeente") })
        XCTAssertTrue(regions.isSuperset(of: ["Katwijk", "Noordwijk", "Oegstgeest"]), "\(regions)")
        XCTAssertEqual(terreinen.filter { !$0.has("gemeente") }.count, 1, "one terrein without gemeente")
        XCTAssertTrue(terreinen.contains { $0.geometryType == "MultiPolygon" })
        for t in terreinen {
            for poly in t.polygons {
                for p in poly[0] {
                    XCTAssertTrue((87_000...93_000).contains(p.0) && (469_000...475_000).contains(p.1), "\(p)")
                }
                XCTAssertGreaterThan(Planar.signedArea(poly[0]), 0, "exterior rings are counter-clockwise")
            }
        }
        let rings = Dictionary(uniqueKeysWithValues: terreinen.map { ($0.string("id")!, $0.polygons.map { $0[0] }) })
        // Klei Oost and Klei West share two vertices.
        let oost = Set(rings["KTW-02"]![0].map { "\($0.0),\($0.1)" })
        let west = Set(rings["KTW-03"]![0].map { "\($0.0),\($0.1)" })
        XCTAssertEqual(oost.intersection(west).count, 2)

        // Roofs: a text sequence in RD New, slope/azimuth/building id.
        let roofs = try readSequence(dir.file("roofs.geojsonl"))
        XCTAssertTrue((250...900).contains(roofs.count), "\(roofs.count) faces")
        XCTAssertTrue(roofs.allSatisfy { $0.string("pand_id") != nil && $0.has("helling") })
        XCTAssertEqual(roofs.filter { $0.isNull("helling") }.count, 1, "one face with a null slope")
        let pitchedNoAzimuth = roofs.filter { ($0.number("helling") ?? 0) > 10 && !$0.has("orientatie") }
        XCTAssertEqual(pitchedNoAzimuth.count, 1, "one pitched face without azimuth")
        let flat = roofs.filter { ($0.number("helling") ?? 99) <= 5 }.count
        XCTAssertGreaterThan(Double(flat), 0.55 * Double(roofs.count), "flat roofs dominate")
        for r in roofs {
            if let s = r.number("helling") { XCTAssertTrue(s >= 0 && s < 90) }
            if let a = r.number("orientatie") { XCTAssertTrue(a >= 0 && a < 360) }
            XCTAssertEqual(r.geometryType, "Polygon")
            let ring = r.polygons[0][0]
            XCTAssertEqual(ring.first!.0, ring.last!.0); XCTAssertEqual(ring.first!.1, ring.last!.1)
            XCTAssertGreaterThan(Planar.signedArea(ring), 0)
        }
        // Pitched buildings with 2 to 4 faces that share edges.
        var facesPerBuilding: [String: [ReadFeature]] = [:]
        for r in roofs { facesPerBuilding[r.string("pand_id")!, default: []].append(r) }
        let pitchedMulti = facesPerBuilding.values.filter { fs in
            (2...4).contains(fs.count) && fs.allSatisfy { ($0.number("helling") ?? 0) > 10 }
        }
        XCTAssertGreaterThan(pitchedMulti.count, 3)
        for fs in pitchedMulti {
            let a = Set(fs[0].polygons[0][0].map { "\($0.0),\($0.1)" })
            let b = Set(fs[1].polygons[0][0].map { "\($0.0),\($0.1)" })
            XCTAssertGreaterThanOrEqual(a.intersection(b).count, 2, "faces of one building share an edge")
        }
        // Faces crossing a terrein boundary: some vertices inside, some outside.
        var crossing = 0
        for r in roofs {
            let pts = r.polygons[0][0].dropLast()
            for outline in rings.values.flatMap({ $0 }) {
                let inside = pts.filter { Planar.pointInRing($0, outline) }.count
                if inside > 0 && inside < pts.count { crossing += 1 }
            }
        }
        XCTAssertGreaterThanOrEqual(crossing, 2, "faces crossing a terrein boundary")

        // Natura 2000: WGS84, RFC 7946 (no crs member), 2-3 named sites with some detail.
        let (nTop, sites) = try readCollection(dir.file("natura2000.geojson"))
        XCTAssertNil(nTop["crs"])
        XCTAssertTrue((2...3).contains(sites.count))
        XCTAssertTrue(sites.allSatisfy { $0.string("naam") != nil })
        XCTAssertTrue(sites.contains { $0.geometryType == "MultiPolygon" })
        for s in sites {
            for poly in s.polygons {
                XCTAssertGreaterThanOrEqual(poly[0].count, 100, "sites have detailed outlines")
                for p in poly[0] { XCTAssertTrue((4.0...5.0).contains(p.0) && (52.0...52.4).contains(p.1), "\(p)") }
                let rd = poly[0].map { ApproxRD.inverse($0.0, $0.1) }
                XCTAssertFalse(Planar.selfIntersects(rd), "site outlines are simple")
            }
            if s.polygons.count == 2 {
                let a = s.polygons[0][0].map { ApproxRD.inverse($0.0, $0.1) }
                let b = s.polygons[1][0].map { ApproxRD.inverse($0.0, $0.1) }
                XCTAssertGreaterThan(Planar.distance(a, b), 100, "the parts of a site are apart")
            }
        }
        // Distances from terreinen to sites (back in RD via the exact inverse).
        let siteRings = sites.flatMap { s in s.mapped(ApproxRD.inverse).map { $0[0] } }
        func nearest(_ id: String) -> Double {
            rings[id]!.flatMap { t in siteRings.map { Planar.distance(t, $0) } }.min()!
        }
        XCTAssertEqual(nearest("KTW-01"), SampleGenerator.nearSiteDistance, accuracy: 1.0)
        XCTAssertEqual(nearest("KTW-11"), SampleGenerator.midSiteDistance, accuracy: 1.0)
        for id in ids where id != "KTW-01" {
            XCTAssertGreaterThan(nearest(id), 520, "only 't Heen is within the 500 m band (\(id))")
        }

        // Land cover: RD New with crs member, every class, a bow-tie.
        let (lTop, landcover) = try readCollection(dir.file("landcover.geojson"))
        XCTAssertEqual(crsName(lTop), "urn:ogc:def:crs:EPSG::28992")
        let classes = landcover.compactMap { $0.string("klasse") }
        XCTAssertEqual(classes.count, landcover.count)
        XCTAssertTrue(Set(classes).isSuperset(of: ["verhard", "bebouwd", "groen", "gras", "onbekend"]))
        // The water polygons are the second land cover source (BGT waterdeel), not in this file.
        XCTAssertFalse(classes.contains("water"))
        let (wTop, water) = try readCollection(dir.file("bgt_waterdeel.geojson"))
        XCTAssertEqual(crsName(wTop), "urn:ogc:def:crs:EPSG::28992")
        XCTAssertGreaterThan(water.count, 3)
        XCTAssertTrue(Set(water.compactMap { $0.string("bgt_type") }).isSubset(of: ["waterloop", "watervlakte"]))
        XCTAssertTrue((3...12).contains(classes.filter { $0 == "onbekend" }.count))
        let bowties = landcover.filter { f in f.polygons.contains { p in p.contains { Planar.selfIntersects($0) } } }
        XCTAssertEqual(bowties.count, 1, "exactly one bow-tie land cover polygon")
        XCTAssertTrue(landcover.contains { $0.polygons[0].count == 2 }, "yards have the building as a hole")

        // Roofs without a bow-tie.
        XCTAssertTrue(roofs.allSatisfy { !Planar.selfIntersects($0.polygons[0][0]) })

        // Inundation: WGS84, depths at and below the thresholds.
        let (iTop, patches) = try readCollection(dir.file("inundation.geojson"))
        XCTAssertNil(iTop["crs"])
        let depths = patches.compactMap { $0.number("waterdiepte") }
        XCTAssertEqual(depths.count, patches.count)
        XCTAssertTrue(depths.contains(0.10))
        XCTAssertTrue(depths.contains(0.30))
        XCTAssertTrue(depths.contains { $0 < 0.10 })
        XCTAssertTrue(depths.contains { $0 > 0.30 })
        let text = try XCTUnwrap(String(data: try dir.data("inundation.geojson"), encoding: .utf8))
        XCTAssertTrue(text.contains("\"waterdiepte\":0.10}"), "depths printed with two decimals")
        XCTAssertTrue(text.contains("\"waterdiepte\":0.30}"))

        // README.
        let readme = try XCTUnwrap(String(data: try dir.data("README.md"), encoding: .utf8))
        XCTAssertTrue(readme.contains("terrein synth --scale sample --seed \(seed) --out SampleGIS"))
        XCTAssertTrue(readme.lowercased().contains("synthetic"))
        for f in Self.layerFiles { XCTAssertTrue(readme.contains(f), f) }
        XCTAssertTrue(readme.contains("bow-tie"))
    }

    func testCoordinatesArePrintedWithFixedDecimals() throws {
        let (dir, _) = try makeSample(seed: 42, "sample-decimals")
        defer { dir.cleanUp() }
        let rd = try XCTUnwrap(String(data: try dir.data("roofs.geojsonl"), encoding: .utf8))
        let firstLine = String(rd.split(separator: "\n")[0])
        let coords = firstLine.components(separatedBy: "\"coordinates\":")[1]
        let numbers = coords.split { "[],}".contains($0) }.filter { !$0.isEmpty }
        XCTAssertFalse(numbers.isEmpty)
        for n in numbers { XCTAssertEqual(n.split(separator: ".")[1].count, 3, String(n)) }
        let ll = try XCTUnwrap(String(data: try dir.data("natura2000.geojson"), encoding: .utf8))
        let c2 = ll.components(separatedBy: "\"coordinates\":")[1].prefix(200)
        let n2 = c2.split { "[],}".contains($0) }.filter { !$0.isEmpty && $0.contains(".") }
        XCTAssertFalse(n2.isEmpty)
        for n in n2.dropLast() { XCTAssertEqual(n.split(separator: ".")[1].count, 7, String(n)) }
    }
}
