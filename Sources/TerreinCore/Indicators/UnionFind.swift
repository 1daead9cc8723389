/// Disjoint sets over the positions `0..<count`: path halving, the smaller root kept, so
/// that the groups come out in one order whatever the order of the unions.
struct UnionFind {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    mutating func root(_ i: Int) -> Int {
        var i = i
        while parent[i] != i {
            parent[i] = parent[parent[i]]
            i = parent[i]
        }
        return i
    }

    mutating func union(_ i: Int, _ j: Int) {
        let (a, b) = (root(i), root(j))
        if a != b { parent[max(a, b)] = min(a, b) }
    }

    /// The sets of the positions for which `include` holds, each ascending, in order of
    /// their first position.
    mutating func groups(where include: (Int) -> Bool = { _ in true }) -> [[Int]] {
        var groupOfRoot = [Int](repeating: -1, count: parent.count)
        var groups: [[Int]] = []
        for i in parent.indices where include(i) {
            let r = root(i)
            if groupOfRoot[r] < 0 {
                groupOfRoot[r] = groups.count
                groups.append([i])
            } else {
                groups[groupOfRoot[r]].append(i)
            }
        }
        return groups
    }
}
