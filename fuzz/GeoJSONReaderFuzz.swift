// libFuzzer harness for the streaming GeoJSON reader (TerreinJSON's JSONScanner,
// GeoJSONReader, JSONValue, InputError), built by fuzz/build.sh against the package's own
// TerreinIO objects. Any input must end in features or an InputError: never a trap, a hang
// or a memory error. The reader is driven the way Terrein drives it, and what it hands out
// is walked the way the layer loader and `terrein inspect` walk it.
import TerreinIO
import TerreinJSON

/// Walks a geometry like `LayerLoader.prepare` and `Inspector` do (index arithmetic on
/// `xy`, `lineEnds`, `partEnds`), so that inconsistent offsets trap here.
func walk(_ g: RawGeometry) -> Int {
    var n = g.xy.count + g.dimension
    precondition(g.xy.count % 2 == 0, "odd coordinate count")
    switch g.type {
    case .polygon, .multiPolygon:
        for polygon in g.polygons {
            for ring in polygon {
                precondition(ring.count % 2 == 0)
                n &+= ring.count
                if ring.count >= 2 { n &+= ring[0] == ring[ring.count - 2] ? 1 : 0 }
            }
            if let shell = polygon.first { n &+= shell.count }
        }
    case .geometryCollection:
        for m in g.members { n &+= walk(m) }
    default:
        break
    }
    return n &+ g.positionCount
}

/// Reads `bytes` under a name with the given extension (which decides FeatureCollection
/// versus GeoJSONSeq) and touches every feature.
func readAll(_ bytes: [UInt8], name: String) {
    let reader = GeoJSONReader(bytes: bytes, name: name)
    var sum = 0
    do {
        try reader.read { f in
            precondition(f.index >= 0 && f.line >= 1 && f.column >= 1)
            if let g = f.geometry { sum &+= walk(g) }
            for (k, v) in zip(f.properties.keys, f.properties.values) {
                sum &+= k.utf8.count &+ v.jsonText.utf8.count &+ v.typeName.utf8.count
                _ = v.doubleValue
            }
        }
        _ = reader.declaredCRS
    } catch let e as InputError {
        // Every error names the file and says what was wrong.
        precondition(e.file == name && !e.problem.isEmpty)
        if let line = e.line { precondition(line >= 1) }
        if let column = e.column { precondition(column >= 1) }
        sum &+= e.description.utf8.count
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
    if sum == 42_424_242 { print("") }  // keep `sum` alive
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte's low bit picks the file kind; both kinds see every input.
    if size > 0 && bytes[0] & 1 == 1 {
        readAll(bytes, name: "fuzz.geojsonl")
        readAll(bytes, name: "fuzz.geojson")
    } else {
        readAll(bytes, name: "fuzz.geojson")
        readAll(bytes, name: "fuzz.geojsonl")
    }
    return 0
}
