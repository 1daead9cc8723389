import Foundation

/// An error met while reading a CityJSON file or writing the roofs layer.
///
/// Every error names the input it came from (`sourceName`, usually the file name) and
/// carries a message meant for people, e.g.
/// `DenHaag_01.city.json: vertex index 23001 out of range (file has 22997 vertices) in CityObject "GUID_…"`.
public struct CityJSONError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Equatable, Sendable {
        /// The file could not be read from disk.
        case unreadable
        /// The bytes are not JSON.
        case notJSON
        /// JSON, but not a CityJSON object (`"type": "CityJSON"`).
        case notCityJSON
        /// A CityJSON version other than 1.0, 1.1 or 2.0.
        case unsupportedVersion
        /// The structure breaks the CityJSON specification (wrong nesting, missing members, ...).
        case malformed
        /// A boundary refers to a vertex that does not exist.
        case vertexIndexOutOfRange
        /// A semantics value refers to a semantic surface that does not exist.
        case semanticIndexOutOfRange
        /// Inputs in different reference systems cannot go into one layer.
        case crsMismatch
    }

    public var kind: Kind
    public var sourceName: String
    public var message: String

    public init(_ kind: Kind, sourceName: String, message: String) {
        self.kind = kind
        self.sourceName = sourceName
        self.message = message
    }

    public var description: String { "\(sourceName): \(message)" }
    public var errorDescription: String? { description }
}
