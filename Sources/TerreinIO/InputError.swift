/// A problem with an input file, with enough context for the analyst to find and fix it:
/// the file, the feature (0-based index, as in `terrein inspect` and the manifest), the
/// line and column for syntax errors, what was wrong and what to do.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var featureIndex: Int?
    public var line: Int?
    public var column: Int?
    public var problem: String
    public var hint: String

    public init(file: String, featureIndex: Int? = nil, line: Int? = nil, column: Int? = nil,
                problem: String, hint: String = "") {
        self.file = file
        self.featureIndex = featureIndex
        self.line = line
        self.column = column
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        var where_ = file
        if let line {
            where_ += ":\(line)"
            if let column { where_ += ":\(column)" }
        }
        var s = where_ + ": "
        if let featureIndex { s += "feature \(featureIndex): " }
        s += problem
        if !hint.isEmpty { s += "\n  → " + hint }
        return s
    }
}
