// Reading speed of Terrein's streaming GeoJSON reader against Foundation's parsers on
// the same file, in the same run:  swift run -c release terrein-json-bench FILE [--foundation]
// With --float-check N [--seed S]: checks N seeded decimals against strtod (see FloatParseCheck).
import Foundation
import TerreinIO
import TerreinJSON

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

let args = CommandLine.arguments.dropFirst()

// The long run of the float parser's check against strtod (outside CI):
//   terrein-json-bench --float-check N [--seed S]
if let i = args.firstIndex(of: "--float-check") {
    let count = args.index(after: i) < args.endIndex ? Int(args[args.index(after: i)]) ?? 0 : 0
    let seedArg = args.firstIndex(of: "--seed").flatMap { args.index(after: $0) < args.endIndex ? UInt64(args[args.index(after: $0)]) : nil }
    guard count > 0 else {
        FileHandle.standardError.write(Data("usage: terrein-json-bench --float-check N [--seed S]\n".utf8))
        exit(2)
    }
    let seed = seedArg ?? 1
    var check = FloatParseCheck(seed: seed)
    let step = 10_000_000
    var done = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    while done < count {
        let n = min(step, count - done)
        try check.run(count: n)
        done += n
        let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        print(String(format: "checked %d (seed %llu): %d mismatches, %.0f s", check.checked, seed, check.mismatches.count, s))
        for m in check.mismatches.prefix(20) {
            print("MISMATCH \(m.text): parsed 0x\(String(m.parsed, radix: 16)), strtod 0x\(String(m.expected, radix: 16))")
        }
        fflush(nil)
        if !check.mismatches.isEmpty { exit(1) }
    }
    print("per kind: " + zip(FloatParseCheck.Kind.allCases, check.perKind).map { "\($0)=\($1)" }.joined(separator: " "))
    exit(0)
}
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
