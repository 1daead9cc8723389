import Foundation
import XCTest
@testable import TerreinCityJSON

/// Builders for small hand-made CityJSON documents whose roof answers are known exactly.
enum Fixture {
    static let tan30 = 1.0 / 3.0.squareRoot()

    /// A CityJSON document as bytes.
    static func document(version: String = "2.0",
                         vertices: [[Double]],
                         objects: [String: Any],
                         transform: (scale: [Double], translate: [Double])? = nil,
                         referenceSystem: String? = nil) -> Data {
        var root: [String: Any] = [
            "type": "CityJSON",
            "version": version,
            "CityObjects": objects,
            "vertices": vertices,
        ]
        if let transform {
            root["transform"] = ["scale": transform.scale, "translate": transform.translate]
        }
        if let referenceSystem {
            root["metadata"] = ["referenceSystem": referenceSystem]
        }
        return try! JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    /// A MultiSurface geometry; `labels[i]` is the semantic type of `surfaces[i]` (nil: unlabelled).
    static func multiSurface(_ surfaces: [[[Int]]], labels: [String?], lod: Any = "2.2",
                             type: String = "MultiSurface") -> [String: Any] {
        let (semanticSurfaces, values) = semantics(labels)
        return ["type": type, "lod": lod, "boundaries": surfaces,
                "semantics": ["surfaces": semanticSurfaces, "values": values]]
    }

    /// Distinct semantic surfaces (one per label type) and the values pointing at them.
    static func semantics(_ labels: [String?]) -> ([[String: Any]], [Any]) {
        var kinds: [String] = []
        var values: [Any] = []
        for label in labels {
            guard let label else { values.append(NSNull()); continue }
            if let k = kinds.firstIndex(of: label) { values.append(k) } else { kinds.append(label); values.append(kinds.count - 1) }
        }
        return (kinds.map { ["type": $0] }, values)
    }

    static func object(_ type: String = "Building", geometry: [[String: Any]],
                       parents: [String]? = nil, children: [String]? = nil) -> [String: Any] {
        var o: [String: Any] = ["type": type, "geometry": geometry]
        if let parents { o["parents"] = parents }
        if let children { o["children"] = children }
        return o
    }

    /// Gable roof over [0,10] x [0,6], eaves at z = 5, ridge along x at y = 3, both faces 30 degrees.
    /// Faces: 0 south roof, 1 north roof, 2 west gable wall, 3 ground.
    static let gableVertices: [[Double]] = {
        let h = 5 + 3 * tan30
        return [[0, 0, 5], [10, 0, 5], [10, 3, h], [0, 3, h], [10, 6, 5], [0, 6, 5]]
    }()
    static let gableSurfaces: [[[Int]]] = [[[0, 1, 2, 3]], [[3, 2, 4, 5]], [[0, 3, 5]], [[0, 5, 4, 1]]]
    static let gableLabels: [String?] = ["RoofSurface", "RoofSurface", "WallSurface", "GroundSurface"]

    /// The six faces of an axis-aligned box as a Solid shell (outward, counter-clockwise seen from outside),
    /// with vertex indices offset by `base`: ground, 4 walls, roof.
    static func boxShell(base: Int) -> [[[Int]]] {
        let f: [[Int]] = [[0, 3, 2, 1], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7], [4, 5, 6, 7]]
        return f.map { [$0.map { $0 + base }] }
    }
    static func boxVertices(x0: Double, y0: Double, x1: Double, y1: Double, z0: Double, z1: Double) -> [[Double]] {
        [[x0, y0, z0], [x1, y0, z0], [x1, y1, z0], [x0, y1, z0],
         [x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]]
    }
    static let boxLabels = [0, 1, 1, 1, 1, 2]  // ground, walls, roof in the semantic list below
    static var boxSemanticSurfaces: [[String: Any]] { [["type": "GroundSurface"], ["type": "WallSurface"], ["type": "RoofSurface"]] }
}

func assertClosedRing(_ ring: [SIMD2<Double>], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertGreaterThanOrEqual(ring.count, 4, file: file, line: line)
    XCTAssertEqual(ring.first, ring.last, "ring not closed", file: file, line: line)
}
