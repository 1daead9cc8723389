import Foundation
import XCTest
@testable import TerreinSynth

final class NationalGeneratorTests: XCTestCase {
    static let layerFiles = ["terreinen.geojson", "roofs.geojsonl", "natura2000.geojson",
                             "landcover.geojsonl", "inundation.geojsonl"]

    private func make(_ scale: Scale, seed: UInt64 = 42, _ name: String) throws -> (ScratchDirectory, SynthSummary) {
        let dir = try ScratchDirectory(name)
        return (dir, try generate(SynthOptions(scale: scale, seed: seed, outputDirectory: dir.url)))
    }

    /// Feature lines of a file: a sequence's lines, or a collection's one-feature-per-line body.
    private func featureLines(_ dir: ScratchDirectory, _ file: String) throws -> [Substring] {
        let text = try XCTUnwrap(String(data: try dir.data(file), encoding: .utf8))
        return text.split(separator: "\n").map { $0.hasSuffix(",") ? $0.dropLast() : $0 }
            .filter { $0.hasPrefix("{\"type\":\"Feature\"") }
    }

    func testWindowsNest() {
        let l = NationalGenerator.window(.L), m = NationalGenerator.window(.M), s = NationalGenerator.window(.S)
        XCTAssertEqual(l.minX, 13_000); XCTAssertEqual(l.maxX, 278_000)
        XCTAssertEqual(l.minY, 306_000); XCTAssertLessThanOrEqual(l.maxY, 619_000)
        XCTAssertTrue(m.minX >= l.minX && m.maxX <= l.maxX && m.minY >= l.minY && m.maxY <= l.maxY)
        XCTAssertTrue(s.minX >= m.minX && s.maxX <= m.maxX && s.minY >= m.minY && s.maxY <= m.maxY)
        func area(_ w: (minX: Double, minY: Double, maxX: Double, maxY: Double)) -> Double {
            (w.maxX - w.minX) * (w.maxY - w.minY)
        }
        XCTAssertEqual(area(l) / area(m), 10, accuracy: 0.1)
        XCTAssertEqual(area(l) / area(s), 100, accuracy: 1)
    }

    func testPlanHasExactly3800TerreinenAndStableNumbers() {
        let plan = NationalGenerator(seed: 42, scale: .L).plan()
        let numbers = plan.terreinNumber.filter { $0 > 0 }
        XCTAssertEqual(numbers.count, 3_800)
        XCTAssertEqual(numbers, Array(1...3_800), "numbered in cell order")
        XCTAssertEqual(Set(plan.gemeenten.map(\.name)).count, plan.gemeenten.count)
        XCTAssertEqual(NationalGenerator(seed: 42, scale: .S).plan().terreinNumber, plan.terreinNumber)
    }

    func testSitesHaveAboutAMillionVerticesAndUniqueNames() {
        let sites = NationalGenerator(seed: 42, scale: .L).sites()
        XCTAssertEqual(sites.count, 160)
        XCTAssertEqual(Set(sites.map(\.name)).count, 160)
        let vertices = sites.reduce(0) { $0 + $1.vertices.reduce(0, +) }
        XCTAssertTrue((850_000...1_150_000).contains(vertices), "\(vertices)")
        XCTAssertGreaterThanOrEqual(sites.map { $0.vertices.reduce(0, +) }.max()!, 200_000, "a huge Wadden site")
    }

    func testScaleSIsDeterministicWithinRangesAndWellFormed() throws {
        let (a, summary) = try make(.S, "S-a")
        let (b, _) = try make(.S, "S-b")
        let (c, _) = try make(.S, seed: 43, "S-43")
        defer { a.cleanUp(); b.cleanUp(); c.cleanUp() }
        for f in Self.layerFiles + ["pipeline.yml"] {
            XCTAssertEqual(try a.data(f), try b.data(f), "same seed, same bytes: \(f)")
        }
        XCTAssertNotEqual(try a.data("roofs.geojsonl"), try c.data("roofs.geojsonl"))
        XCTAssertNotEqual(try a.data("terreinen.geojson"), try c.data("terreinen.geojson"))

        // Counts: 1/100 of L's 3,800 terreinen, ~1M faces, ~500k land cover, ~100k inundation.
        func n(_ layer: String) -> Int { summary[layer]?.features ?? -1 }
        XCTAssertTrue((20...60).contains(n("terreinen")), "terreinen \(n("terreinen"))")
        XCTAssertTrue((6_000...15_000).contains(n("roofs")), "roofs \(n("roofs"))")
        XCTAssertTrue((3_000...8_000).contains(n("landcover")), "landcover \(n("landcover"))")
        XCTAssertTrue((500...1_600).contains(n("inundation")), "inundation \(n("inundation"))")
        XCTAssertTrue((1...20).contains(n("natura2000")), "natura2000 \(n("natura2000"))")
        for l in summary.layers {
            let size = try FileManager.default.attributesOfItem(atPath: a.file(l.file).path)[.size] as? Int
            XCTAssertEqual(size, l.bytes, l.file)
        }

        // Encodings: collections in RD with the legacy crs member; sequences valid JSON per line.
        let win = NationalGenerator.window(.S)
        let (tTop, terreinen) = try readCollection(a.file("terreinen.geojson"))
        XCTAssertEqual(crsName(tTop), "urn:ogc:def:crs:EPSG::28992")
        XCTAssertEqual(terreinen.count, n("terreinen"))
        var ids = Set<String>()
        for t in terreinen {
            let id = try XCTUnwrap(t.string("id"))
            XCTAssertTrue(ids.insert(id).inserted, "unique id \(id)")
            XCTAssertNotNil(t.string("naam"))
            var area = 0.0
            for poly in t.polygons {
                area += Planar.signedArea(poly[0])
                XCTAssertFalse(Planar.selfIntersects(poly[0]))
                for p in poly[0] {
                    XCTAssertTrue(p.0 > win.minX && p.0 < win.maxX && p.1 > win.minY && p.1 < win.maxY)
                }
            }
            XCTAssertTrue((50_000...2_000_000).contains(area), "5-200 ha: \(id) \(area)")
        }
        let (nTop, sites) = try readCollection(a.file("natura2000.geojson"))
        XCTAssertEqual(crsName(nTop), "urn:ogc:def:crs:EPSG::28992")
        XCTAssertTrue(sites.allSatisfy { $0.string("naam") != nil })

        let roofs = try readSequence(a.file("roofs.geojsonl"))
        XCTAssertEqual(roofs.count, n("roofs"))
        var flat = 0
        for r in roofs {
            XCTAssertNotNil(r.string("pand_id"))
            let s = r.number("helling") ?? 0
            if s <= 5 { flat += 1 }
            if s > 10 { _ = r.number("orientatie") }
            let ring = r.polygons[0][0]
            XCTAssertTrue(ring.first! == ring.last!, "closed ring")
        }
        XCTAssertGreaterThan(flat, roofs.count / 3)
        let landcover = try readSequence(a.file("landcover.geojsonl"))
        XCTAssertEqual(landcover.count, n("landcover"))
        XCTAssertTrue(Set(landcover.compactMap { $0.string("klasse") })
            .isSuperset(of: ["verhard", "bebouwd", "groen", "gras", "water"]))
        let inundation = try readSequence(a.file("inundation.geojsonl"))
        XCTAssertEqual(inundation.count, n("inundation"))
        XCTAssertTrue(inundation.allSatisfy { $0.number("waterdiepte") != nil })

        // The pipeline file points at the files with the right fields and crs.
        let yml = try XCTUnwrap(String(data: try a.data("pipeline.yml"), encoding: .utf8))
        for needle in ["path: terreinen.geojson", "path: roofs.geojsonl", "path: natura2000.geojson",
                       "path: landcover.geojsonl", "path: inundation.geojsonl", "crs: EPSG:28992",
                       "fields: {id: id, name: naam, region: gemeente}",
                       "fields: {slope_deg: helling, azimuth_deg: orientatie, building_id: pand_id}",
                       "fields: {class: klasse}", "fields: {depth_m: waterdiepte}",
                       "directory: out", "formats: [csv]", "work_crs: EPSG:28992"] {
            XCTAssertTrue(yml.contains(needle), needle)
        }
        XCTAssertEqual(yml.components(separatedBy: "crs: EPSG:28992").count - 1, 4, "work_crs and three sequences")
    }

    func testSIsAGeographicSubsetOfM() throws {
        let (s, _) = try make(.S, "sub-S")
        let (m, _) = try make(.M, "sub-M")
        defer { s.cleanUp(); m.cleanUp() }
        for f in Self.layerFiles {
            let inS = try featureLines(s, f)
            let inM = Set(try featureLines(m, f))
            XCTAssertFalse(inS.isEmpty, f)
            XCTAssertGreaterThan(inM.count, inS.count, f)
            let missing = inS.filter { !inM.contains($0) }
            XCTAssertTrue(missing.isEmpty, "\(missing.count) features of S are not in M (\(f))")
        }
        // Terreinen by id: same geometry.
        let (_, ts) = try readCollection(s.file("terreinen.geojson"))
        let (_, tm) = try readCollection(m.file("terreinen.geojson"))
        let byID = Dictionary(uniqueKeysWithValues: tm.map { ($0.string("id")!, $0) })
        for t in ts {
            let other = try XCTUnwrap(byID[t.string("id")!])
            XCTAssertEqual(t.polygons.count, other.polygons.count)
            for (a, b) in zip(t.polygons, other.polygons) {
                XCTAssertTrue(a[0].elementsEqual(b[0]) { $0 == $1 })
            }
        }
    }
}
