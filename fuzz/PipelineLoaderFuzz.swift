// libFuzzer harness for the pipeline loader: `Pipeline.parse(text:file:)` on any UTF-8
// text (Pipeline.load refuses other bytes before parsing) must return a pipeline or throw
// a ConfigError naming the pipeline file: never a trap, a hang or a memory error.
// Built by fuzz/build.sh against the package's own TerreinCore, Yams and their
// dependencies (compiled with AddressSanitizer and sanitizer coverage).
import Foundation
import TerreinCore

/// A folder with the files the seed pipelines name, so that inputs get past the
/// "file not found" checks into the rest of the validation.
let fixtureFolder: String = {
    let dir = NSTemporaryDirectory() + "terrein-pipeline-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
    for name in ["terreinen.geojson", "roofs.geojson", "roofs.geojsonl", "natura2000.geojson",
                 "landcover.geojson", "inundation.geojson", "data/t.geojson"] {
        FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("{}".utf8))
    }
    return dir
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let file = fixtureFolder + "/pipeline.yml"
    do {
        let p = try Pipeline.parse(text: text, file: file)
        // A loaded pipeline is internally consistent.
        precondition(!p.name.isEmpty && p.layers[.terreinen] != nil && p.layers[.roofs] != nil)
        precondition(p.formats.contains(.csv))
        let t = p.parameters.solar.yieldFactors
        precondition(t.factors.count == t.slopesDeg.count && t.factors.allSatisfy { $0.count == t.deviationsDeg.count })
        _ = t.factor(slope: 33, deviation: 120)
        _ = t.flatFactor
    } catch let e as ConfigError {
        precondition(e.file == file && !e.problem.isEmpty)
        _ = e.description
    } catch {
        preconditionFailure("Pipeline.parse threw a \(type(of: error)), not a ConfigError: \(error)")
    }
    return 0
}
