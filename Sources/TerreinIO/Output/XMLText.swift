/// A small XML writer for the QGIS styles (QML) and the SLD: elements with attributes in
/// the order given, two-space indentation, LF line ends, so the bytes depend only on the
/// content. Every text and attribute value goes through `escape`.
struct XMLText {
    private(set) var text = ""
    private var open: [String] = []

    init(prolog: String = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>") {
        text = prolog + "\n"
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` and drops the characters XML 1.0 cannot hold
    /// (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF). Tab, LF and CR in
    /// attribute values become character references so that parsers keep them.
    static func escape(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    private var indent: String { String(repeating: "  ", count: open.count) }

    private static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// `<name a="v">` and remembers it for `close()`.
    mutating func start(_ name: String, _ attrs: [(String, String)] = []) {
        text += indent + "<" + name + Self.attributes(attrs) + ">\n"
        open.append(name)
    }

    /// `<name a="v"/>`.
    mutating func empty(_ name: String, _ attrs: [(String, String)] = []) {
        text += indent + "<" + name + Self.attributes(attrs) + "/>\n"
    }

    /// `<name a="v">text</name>`.
    mutating func leaf(_ name: String, _ attrs: [(String, String)] = [], _ value: String) {
        text += indent + "<" + name + Self.attributes(attrs) + ">" + Self.escape(value) + "</" + name + ">\n"
    }

    /// `<name>text</name>`.
    mutating func leaf(_ name: String, _ value: String) { leaf(name, [], value) }

    /// Closes the innermost open element.
    mutating func close() {
        let name = open.removeLast()
        text += indent + "</" + name + ">\n"
    }

    /// The document; every element must be closed.
    var document: String {
        precondition(open.isEmpty, "unclosed XML elements: \(open)")
        return text
    }
}
