import Foundation

/// A buffered, append-only file writer with locale-independent number formatting.
///
/// Bytes collect in a 1 MiB buffer that is written out whenever it fills, so a layer of any
/// size is streamed. Numbers are formatted by integer arithmetic here (never `String(format:)`
/// or `description`), so the text is the same on every machine and in every locale.
final class ByteSink {
    private let handle: FileHandle
    private(set) var buffer: [UInt8] = []
    private(set) var bytesWritten = 0
    private static let flushThreshold = 1 << 20
    let url: URL

    init(url: URL) throws {
        self.url = url
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) {
            do { try fm.removeItem(at: url) } catch {
                throw SynthError.io("cannot replace \(url.path): \(SynthError.reason(error))")
            }
        }
        guard fm.createFile(atPath: url.path, contents: nil) else {
            throw SynthError.io("cannot create \(url.path)")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw SynthError.io("cannot open \(url.path): \(SynthError.reason(error))")
        }
        buffer.reserveCapacity(ByteSink.flushThreshold + 64 * 1024)
    }

    /// Total bytes, written and buffered.
    var count: Int { bytesWritten + buffer.count }

    @inline(__always) func byte(_ b: UInt8) { buffer.append(b) }

    @inline(__always) func ascii(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    func text(_ s: String) { buffer.append(contentsOf: s.utf8) }

    /// A JSON string literal, escaped per RFC 8259; non-ASCII UTF-8 passes through.
    func jsonString(_ s: String) {
        buffer.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\\")); buffer.append(b)
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(b)
            case 0x0A: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                ascii("\\u00")
                buffer.append(hex[Int(b >> 4)])
                buffer.append(hex[Int(b & 15)])
            default: buffer.append(b)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// A decimal integer.
    func int(_ v: Int64) {
        if v < 0 {
            byte(UInt8(ascii: "-"))
            unsignedDigits(UInt64(0) &- UInt64(bitPattern: v), minDigits: 1)
        } else {
            unsignedDigits(UInt64(v), minDigits: 1)
        }
    }

    /// `v / 10^decimals` printed with exactly `decimals` decimals: 123456789, 3 -> "123456.789".
    func scaled(_ v: Int64, decimals: Int) {
        if decimals == 0 { int(v); return }
        var m: UInt64
        if v < 0 {
            byte(UInt8(ascii: "-"))
            m = UInt64(0) &- UInt64(bitPattern: v)
        } else {
            m = UInt64(v)
        }
        let p = ByteSink.pow10u[decimals]
        unsignedDigits(m / p, minDigits: 1)
        byte(UInt8(ascii: "."))
        m %= p
        unsignedDigits(m, minDigits: decimals)
    }

    /// A double rounded half away from zero to `decimals` decimals; never "-0.0".
    func fixed(_ v: Double, decimals: Int) {
        precondition(v.isFinite, "non-finite number in synthetic output")
        let r = (v * ByteSink.pow10d[decimals]).rounded()
        scaled(Int64(r), decimals: decimals)
    }

    static let pow10u: [UInt64] = (0...18).map { n in (0..<n).reduce(UInt64(1)) { a, _ in a * 10 } }
    static let pow10d: [Double] = (0...18).map { n in (0..<n).reduce(1.0) { a, _ in a * 10.0 } }

    @inline(__always)
    private func unsignedDigits(_ value: UInt64, minDigits: Int) {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch on the stack
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { raw in
            repeat {
                raw[23 - n] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
                n += 1
            } while v != 0 || n < minDigits
            buffer.append(contentsOf: raw[(24 - n)...])
        }
    }

    func flushIfNeeded() throws {
        if buffer.count >= ByteSink.flushThreshold { try flush() }
    }

    func flush() throws {
        if buffer.isEmpty { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw SynthError.io("cannot write \(url.path): \(SynthError.reason(error))")
        }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        do { try handle.close() } catch { throw SynthError.io("cannot close \(url.path): \(SynthError.reason(error))") }
    }
}

/// A number with a fixed count of decimals, locale-independent (the sink's formatting).
func formatFixed(_ v: Double, decimals: Int) -> String {
    var r = (v * ByteSink.pow10d[decimals]).rounded()
    if r == 0 { r = 0 }
    var n = Int64(r)
    var neg = false
    if n < 0 { neg = true; n = -n }
    let p = Int64(ByteSink.pow10u[decimals])
    var s = String(n / p)
    if decimals > 0 {
        let frac = String(n % p)
        s += "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
    return neg ? "-" + s : s
}
