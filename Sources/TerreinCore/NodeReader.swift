import Foundation
import Yams

extension Pipeline {
    /// Refuses YAML aliases (`*name`) used as mapping keys, before Yams composes the text.
    ///
    /// Yams expands an alias into a copy of its anchor's node and hashes every mapping key
    /// to find duplicates, so an alias key that refers to nested aliases ("billion laughs")
    /// takes exponential time. Terrein's keys are plain text, so such a file is wrong anyway:
    /// find them on a neutral copy of the text in which every `*` is replaced by U+E000
    /// (one character for one, so lines and columns stay): aliases become plain scalars
    /// starting with U+E000, nothing is expanded, and the copy composes in linear time.
    static func refuseAliasKeys(_ text: String, file: String) throws {
        guard text.contains("*") else { return }
        let neutral = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "*" ? "\u{E000}" : $0 }))
        guard let root = try Yams.compose(yaml: neutral) else { return }
        func isAlias(_ n: Node) -> Bool {
            if case .scalar(let s) = n { return s.style == .plain && s.string.unicodeScalars.first == "\u{E000}" }
            return false
        }
        func containsAlias(_ n: Node) -> Bool {
            switch n {
            case .scalar: return isAlias(n)
            case .sequence(let seq): return seq.contains(where: containsAlias)
            case .mapping(let m): return m.contains { containsAlias($0.key) || containsAlias($0.value) }
            case .alias: return true
            }
        }
        var stack = [root]
        while let n = stack.popLast() {
            switch n {
            case .sequence(let seq): stack.append(contentsOf: seq)
            case .mapping(let m):
                for (k, v) in m {
                    if containsAlias(k) {
                        throw ConfigError(file: file, keyPath: "", line: k.mark?.line,
                                          problem: "a YAML alias (*name) is used as a mapping key",
                                          hint: "keys in a pipeline file are plain text; use aliases only as values")
                    }
                    stack.append(v)
                }
            case .scalar, .alias: break
            }
        }
    }
}

/// Typed access to YAML nodes with key-path errors.
struct NodeReader {
    let file: String

    struct Map {
        var pairs: [(String, Node)]
        subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    }

    func line(_ n: Node) -> Int? { n.mark?.line }

    /// `0`, or digits without a leading zero: no sign, `_`, base prefix or `:` (YAML 1.1
    /// reads `0500` as octal, `0x1F4` as hexadecimal, `1:30` as sexagesimal).
    static func isPlainDecimalInteger(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, u.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        return first != UInt8(ascii: "0") || u.count == 1
    }

    func mapping(_ node: Node, _ key: String, allowed: [String]) throws -> Map {
        guard case .mapping(let m) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a mapping of keys",
                              hint: "valid keys: " + allowed.joined(separator: ", "))
        }
        var pairs: [(String, Node)] = []
        for (k, v) in m {
            guard let ks = k.string else {
                throw ConfigError(file: file, keyPath: key, line: line(k), problem: "keys must be text")
            }
            let path = key.isEmpty ? ks : "\(key).\(ks)"
            guard allowed.contains(ks) else {
                let close = allowed.min { editDistance($0, ks) < editDistance($1, ks) }
                var hint = "valid keys here: " + allowed.joined(separator: ", ")
                if let close, editDistance(close, ks) <= 3 { hint = "did you mean `\(close)`? " + hint }
                throw ConfigError(file: file, keyPath: path, line: line(k), problem: "unknown key", hint: hint)
            }
            if pairs.contains(where: { $0.0 == ks }) {
                throw ConfigError(file: file, keyPath: path, line: line(k), problem: "duplicate key")
            }
            pairs.append((ks, v))
        }
        return Map(pairs: pairs)
    }

    /// What YAML 1.1 (Yams, PyYAML) makes of a scalar: null, bool, int, float or text.
    static func resolvedTag(_ s: Node.Scalar) -> Tag.Name {
        Resolver.default.resolveTag(of: .scalar(s))
    }

    /// A non-empty text value: a quoted scalar, or a plain one that YAML does not read as
    /// null, a boolean or a number (`name: yes` is true, `name: 2024` a number: quote them).
    /// The JSON Schema says the same with `"type": "string", "minLength": 1`.
    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let s) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a text value, found a list or mapping")
        }
        let tag = Self.resolvedTag(s)
        if [.null, .bool, .int, .float].contains(tag) {
            let what = tag == .null ? "no value (null)" : tag == .bool ? "a boolean" : "a number"
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "expected text, but YAML reads \"\(s.string)\" as \(what)",
                              hint: tag == .null ? "give a value" : "quote it if it is text: \"\(s.string)\"")
        }
        guard !s.string.isEmpty else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "empty text", hint: "give a value or leave the key out")
        }
        return s.string
    }

    func stringList(_ node: Node, _ key: String) throws -> [String] {
        guard case .sequence(let seq) = node else {
            throw ConfigError(file: file, keyPath: key, line: line(node), problem: "expected a list, e.g. [a, b]")
        }
        return try seq.enumerated().map { try string($1, "\(key)[\($0)]") }
    }

    /// A value matched against feature properties: text, or a number standing for the text
    /// Terrein reads from the data (an integer in decimal, `3` → "3"; `1.5` → "1.5"), so that
    /// numeric class codes (BGT codes, 1/2/3) need no quotes. Numbers must be plain decimal.
    func textOrNumber(_ node: Node, _ key: String) throws -> String {
        if case .scalar(let s) = node, [.int, .float].contains(Self.resolvedTag(s)) {
            let v = try number(node, key, range: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
            if Self.resolvedTag(s) == .int, let i = Int64(exactly: v) { return String(i) }
            return "\(v)"
        }
        return try string(node, key)
    }

    /// Digits with an optional sign and fraction, without a leading zero (`0500` is octal in
    /// YAML 1.1), exponent, `_`, `:` or base prefix: the one spelling every YAML reader agrees on.
    static func isPlainDecimalNumber(_ s: String) -> Bool {
        var t = Substring(s)
        if t.first == "-" || t.first == "+" { t = t.dropFirst() }
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard isPlainDecimalInteger(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        return !parts[1].isEmpty && parts[1].utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The number under `key` of a mapping at `section` (e.g. "parameters.water"), nil
    /// when the key is absent.
    func number(_ map: Map, _ key: String, in section: String, range: ClosedRange<Double>) throws -> Double? {
        guard let n = map[key] else { return nil }
        return try number(n, "\(section).\(key)", range: range)
    }

    func number(_ node: Node, _ key: String, range: ClosedRange<Double>) throws -> Double {
        guard case .scalar(let s) = node, let v = node.float ?? node.int.map(Double.init), v.isFinite else {
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "expected a number, found \"\(node.string ?? "a list or mapping")\"")
        }
        guard Self.isPlainDecimalNumber(s.string) else {
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "\"\(s.string)\" is not a number in plain decimal",
                              hint: "write digits with an optional fraction, e.g. 500 or 0.25 (YAML reads 0500 as octal, and 1e3, 0x10 or 1_000 differ between YAML readers)")
        }
        guard range.contains(v) else {
            throw ConfigError(file: file, keyPath: key, line: line(node),
                              problem: "\(v) is out of range", hint: "valid values lie in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }
}

/// Levenshtein distance, for "did you mean" hints on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}
