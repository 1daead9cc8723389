// Reading speed of Terrein's streaming GeoJSON reader against Foundation's parsers on
// the same file, in the same run:  swift run -c release terrein-json-bench FILE [--foundation]
import Foundation
import TerreinIO

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

let args = CommandLine.arguments.dropFirst()
guard let path = args.first(where: { !$0.hasPrefix("--") }) else {
    FileHandle.standardError.write(Data("usage: terrein-json-bench FILE [--foundation]\n".utf8))
    exit(2)
}
let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
print(String(format: "%@: %.1f MB", path, size))

var features = 0, positions = 0
let terrein = try seconds {
    let reader = try GeoJSONReader(path: path)
    try reader.read { f in
        features += 1
        positions += f.geometry?.positionCount ?? 0
    }
}
print(String(format: "terrein GeoJSONReader   %7.3f s  %7.1f MB/s  (%d features, %d positions)", terrein, size / terrein, features, positions))

if args.contains("--foundation") {
    // Foundation needs the whole text; sequences are parsed line by line.
    let isSequence = GeoJSONReader.sequenceExtensions.contains((path as NSString).pathExtension.lowercased())
    var count = 0
    let js = try seconds {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if isSequence {
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                let body = line.first == 0x1E ? line.dropFirst() : line
                _ = try JSONSerialization.jsonObject(with: Data(body))
                count += 1
            }
        } else {
            let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            count = (obj?["features"] as? [Any])?.count ?? 0
        }
    }
    print(String(format: "Foundation JSONSerialization %7.3f s  %7.1f MB/s  (%d features)  ratio %.1fx", js, size / js, count, js / terrein))
}
