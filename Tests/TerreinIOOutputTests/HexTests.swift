import XCTest
import Foundation
@testable import TerreinIO

/// `Hex`: lower-case pairs, the same through every kind of byte sequence, and decoded back.
final class HexTests: XCTestCase {
    func testEveryByteValueAndEveryPath() {
        let bytes = (0...255).map { UInt8($0) } + [0x00, 0xff, 0x10]
        let reference = bytes.map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(Hex.encode(bytes), reference)                      // contiguous array
        XCTAssertEqual(Hex.encode(Data(bytes)), reference)                // Data
        XCTAssertEqual(Hex.encode(bytes.lazy.map { $0 }), reference)      // not contiguous
        XCTAssertEqual(bytes.withUnsafeBytes { Hex.encode($0) }, reference)
        XCTAssertEqual(Hex.encode("é".utf8), "c3a9")
        XCTAssertEqual(Hex.encode([UInt8]()), "")
        XCTAssertEqual(Hex.decode(reference), bytes)
        XCTAssertEqual(Hex.decode("C3A9"), [0xc3, 0xa9])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
    }
}
