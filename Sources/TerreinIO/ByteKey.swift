/// A text compared, hashed and sorted as its UTF-8 bytes.
///
/// Swift's `String ==` and `Dictionary<String, …>` compare by canonical equivalence, so a
/// composed "é" (U+00E9) and a decomposed one ("e" + U+0301) are one key there. The spec
/// compares ids, region names and building ids as UTF-8 bytes, without normalisation: key
/// dictionaries and sets of such values by `ByteKey`.
public struct ByteKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }

    /// The text again (the bytes are valid UTF-8, as they came from a String).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { string }

    public static func < (a: ByteKey, b: ByteKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
