import Crypto
import Foundation

/// SHA-256 of files and bytes, for the run manifest (swift-crypto).
public enum Hashing {
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Hashes a file in 1 MiB chunks (input layers can be hundreds of MB).
    public static func sha256Hex(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: path, problem: "cannot open the file to hash it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// SHA-256 fed chunk by chunk (the GeoJSON reader hashes what it reads, so no second pass
/// over a 400 MB file is needed for the manifest).
public final class StreamingSHA256 {
    private var hasher = SHA256()
    public init() {}
    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public var hex: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
