import XCTest
@testable import TerreinCore

/// The pipeline-file corpus `schema/cases/*.yml`, judged by the loader. The same corpus is
/// judged by the JSON Schema in `schema/tests/test_schema_agrees.py`: together they keep the
/// loader and `schema/pipeline.schema.json` saying the same thing (schema/README.md).
final class SchemaCaseTests: XCTestCase {
    struct Case {
        var file: String
        var expectValid: Bool
        var key: String?
    }

    /// Reads the `# expect:` and `# key:` header lines of every case.
    func cases() throws -> [Case] {
        let folder = repoRoot + "/schema/cases"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yml") }.sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            var expect: String?, key: String?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("# ") {
                if line.hasPrefix("# expect: ") { expect = String(line.dropFirst("# expect: ".count)) }
                if line.hasPrefix("# key: ") { key = String(line.dropFirst("# key: ".count)) }
            }
            guard let expect, ["valid", "invalid"].contains(expect) else {
                throw ConfigError(file: name, keyPath: "", problem: "case without `# expect: valid|invalid`")
            }
            return Case(file: folder + "/" + name, expectValid: expect == "valid", key: key)
        }
    }

    func testTheLoaderJudgesEveryCaseAsMarked() throws {
        let all = try cases()
        XCTAssertGreaterThan(all.filter(\.expectValid).count, 5)
        XCTAssertGreaterThan(all.filter { !$0.expectValid }.count, 40)
        for c in all {
            let name = (c.file as NSString).lastPathComponent
            do {
                _ = try Pipeline.load(path: c.file)
                if !c.expectValid { XCTFail("\(name): the loader accepts a case marked invalid") }
            } catch let e as ConfigError {
                if c.expectValid { XCTFail("\(name): the loader refuses a case marked valid: \(e)"); continue }
                if let key = c.key { XCTAssertEqual(e.keyPath, key, "\(name): \(e)") }
            }
        }
    }

    func testNumericClassValuesStandForTheTextReadFromTheData() throws {
        let p = try Pipeline.load(path: repoRoot + "/schema/cases/valid-class-values-numeric.yml")
        let classes = p.layers[.landcover]!.classes
        XCTAssertEqual(classes["1"], .sealed)
        XCTAssertEqual(classes["2"], .sealed)
        XCTAssertEqual(classes["3"], .green)
        XCTAssertEqual(classes["4"], .green)
        XCTAssertEqual(classes["1.5"], .other)
        // The data side: an integer property is its decimal text, so `1` in the file matches it.
        XCTAssertEqual(Attributes.text(.integer(1)), "1")
        XCTAssertEqual(Attributes.text(.number(1.5)), "1.5")
    }
}
