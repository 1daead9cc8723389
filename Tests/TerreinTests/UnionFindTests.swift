import XCTest
@testable import TerreinCore

/// `UnionFind`: the groups of the unions made, each ascending, by first position, the same
/// whatever the order of the unions.
final class UnionFindTests: XCTestCase {
    func testGroupsInOrderOfFirstPosition() {
        var sets = UnionFind(count: 7)
        sets.union(5, 1)
        sets.union(3, 6)
        sets.union(6, 5)
        XCTAssertEqual(sets.groups(), [[0], [1, 3, 5, 6], [2], [4]])
        XCTAssertEqual(sets.groups { $0 != 3 && $0 != 0 }, [[1, 5, 6], [2], [4]])
        XCTAssertEqual(sets.root(6), 1)
        var none = UnionFind(count: 0)
        XCTAssertEqual(none.groups(), [])
    }

    func testOrderOfUnionsDoesNotMatter() {
        var rng = SpatialIndexTests.SplitMix(state: 7)
        for _ in 0..<50 {
            let n = 1 + Int(rng.next() * 30)
            let pairs = (0..<Int(rng.next() * 40)).map { _ in (Int(rng.next() * Double(n)), Int(rng.next() * Double(n))) }
            var a = UnionFind(count: n), b = UnionFind(count: n)
            for (i, j) in pairs { a.union(i, j) }
            for (i, j) in pairs.reversed() { b.union(j, i) }
            let groups = a.groups()
            XCTAssertEqual(groups, b.groups())
            // The reference: connected parts by repeated relaxation of the pairs.
            var label = Array(0..<n)
            var changed = true
            while changed {
                changed = false
                for (i, j) in pairs where label[i] != label[j] {
                    let m = min(label[i], label[j])
                    label[i] = m; label[j] = m
                    changed = true
                }
            }
            for g in groups {
                XCTAssertEqual(g, g.sorted())
                XCTAssertEqual(Set(g.map { label[$0] }).count, 1)
            }
            XCTAssertEqual(groups.count, Set(label).count)
            XCTAssertEqual(groups.map { $0[0] }, groups.map { $0[0] }.sorted())
        }
    }
}
