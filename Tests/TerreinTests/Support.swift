import Foundation
import XCTest
import TerreinGeometry
@testable import TerreinCore
@testable import TerreinIO

/// Hand-built geometry for tests: axis-aligned rectangles in RD New metres.
func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) throws -> Geometry {
    try Geometry.polygon(rings: [[x0, y0, x1, y0, x1, y1, x0, y1, x0, y0]])
}

func terrein(_ id: String, _ g: Geometry, region: String? = nil, name: String? = nil, index: Int = 0) -> Terrein {
    Terrein(index: index, id: id, name: name, region: region, geometry: g)
}

func roof(_ g: Geometry, slope: Double? = 0, azimuth: Double? = nil, building: String? = nil, index: Int = 0) throws -> RoofFace {
    RoofFace(index: index, geometry: g, area: try g.area(), slope: slope, azimuth: azimuth, buildingId: building)
}

/// Computes every terrein of hand-built layers with the given parameters.
func compute(terreinen: [Terrein], roofs: [RoofFace] = [], sites: [Site]? = nil,
             landcover: [LandCoverPolygon]? = nil, inundation: [InundationPolygon]? = nil,
             heat: RasterLayerConfig? = nil, inundationRaster: RasterLayerConfig? = nil,
             parameters: Parameters = Parameters(), threads: Int = 1) throws -> [TerreinResult] {
    var layers = LoadedLayers()
    layers.terreinen = terreinen
    layers.roofs = roofs
    layers.natura2000 = sites
    layers.landcover = landcover
    layers.inundation = inundation
    if let heat { layers.rasters[.heat] = try RasterLayer(heat, workCRS: .rdNew) }
    if let inundationRaster { layers.rasters[.inundation] = try RasterLayer(inundationRaster, workCRS: .rdNew) }
    return try Runner.compute(try IndexedLayers(layers), parameters: parameters, threads: threads)
}

/// A scratch folder removed at the end of the test.
final class ScratchDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "terrein-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
}

/// A GeoJSON FeatureCollection in RD New with the legacy crs member.
func rdCollection(_ features: [String]) -> String {
    """
    {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},
    "features":[\(features.joined(separator: ",\n"))]}
    """
}

func polygonFeature(_ props: String, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
    """
    {"type":"Feature","properties":{\(props)},"geometry":{"type":"Polygon","coordinates":[[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)],[\(x0),\(y0)]]]}}
    """
}

/// The path of the built `terrein` executable next to the test bundle.
var terreinExecutable: String {
    // macOS: the .xctest bundle sits in the build folder; Linux: the bundle URL is the
    // folder of the test executable, i.e. the build folder itself.
    let bundle = Bundle(for: ScratchDir.self).bundleURL
    let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
    return folder.appendingPathComponent("terrein").path
}

/// Runs the CLI and returns (exit status, stdout, stderr).
@discardableResult
func runCLI(_ args: [String], environment: [String: String] = [:], cwd: String? = nil) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: terreinExecutable)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// The repository root (two levels above this file's folder).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The standard families' schema with the given distance bands.
func schema(bands: [Int]) -> IndicatorSchema {
    var p = Parameters()
    p.nature.bandsM = bands
    return IndicatorSchema(parameters: p)
}

/// A GeoPackage as a run writes it, with one terrein whose outline holds `oddCoordinate`
/// (as if the file had been changed after the run).
func writeGeoPackage(_ path: String, oddCoordinate v: Double) throws {
    let shape = try Geometry.polygon(rings: [[155000, 463000, v, 463000, 155200, 463100, 155000, 463000]])
    let table = Table(columns: [Column("id", .text), Column("area_m2", .real(decimals: 2))], rows: [[.text("T1"), .real(1)]])
    let regions = Table(columns: [Column("region", .text)], rows: [[.text("R")]])
    let a = RunArtifacts(pipelineName: "odd", indicators: table, regions: regions, terreinGeometries: [shape],
                         natura2000Display: [], workCRS: .rdNew)
    try GeoPackageWriter.write(a, to: path, lastChange: Date(timeIntervalSince1970: 0))
}

/// Debian's `ogr2ogr` (gdal-bin, installed by scripts/test.sh), or a skip that says so.
func ogr2ogrPath() throws -> String {
    guard let path = ["/usr/bin/ogr2ogr", "/usr/local/bin/ogr2ogr"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw XCTSkip("ogr2ogr (Debian gdal-bin) is not installed: run scripts/test.sh, which installs it")
    }
    return path
}
