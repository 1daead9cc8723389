#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON syntax or structure error at a byte position.
package struct ScanError: Error {
    package var line: Int
    package var column: Int
    package var message: String
    package var hint: String = ""
    package init(line: Int, column: Int, message: String, hint: String = "") {
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }
}

/// A streaming, byte-level JSON scanner over a file descriptor.
///
/// Written by hand because it is the core of the product: Foundation's parsers read the
/// whole file into an `Any` tree at 9–20 MB/s (see docs/architecture.md); this one reads
/// 1 MiB chunks, parses numbers straight into coordinate buffers, keeps memory bounded
/// by the largest value it is asked to materialise, and knows the line and column of
/// every byte for error messages.
package final class JSONScanner {
    private let fd: Int32
    private let closeOnDeinit: Bool
    private var buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var pos = 0
    private var end = 0
    /// Absolute offset of buffer[0] in the stream.
    private var base = 0
    package private(set) var atEOF = false
    /// Current line (1-based) and absolute offset where it starts.
    package private(set) var line = 1
    private var lineStart = 0
    /// Maximum nesting of arrays/objects materialised as `JSONValue`.
    package let maxDepth: Int
    private var scratch: [UInt8] = []
    /// Sees every byte read from the file, in order (used to hash the file while parsing).
    package var onBytes: ((UnsafeRawBufferPointer) -> Void)?
    /// The absolute offset where the input ends (a byte range of the file), nil: the file's end.
    private var limit: Int?

    package init(fd: Int32, closeOnDeinit: Bool, chunkSize: Int = 1 << 20, maxDepth: Int = 256) {
        self.fd = fd
        self.closeOnDeinit = closeOnDeinit
        self.capacity = chunkSize
        self.buffer = .allocate(capacity: chunkSize)
        self.maxDepth = maxDepth
        scratch.reserveCapacity(256)
    }

    /// Scans the bytes `range` of the file open at `fd` (positioned there with `lseek`): offsets
    /// and columns count from the file's start, lines from 1 at the range's start.
    package convenience init(fd: Int32, closeOnDeinit: Bool, range: Range<Int>) throws {
        self.init(fd: fd, closeOnDeinit: closeOnDeinit)
        guard lseek(fd, off_t(range.lowerBound), SEEK_SET) == off_t(range.lowerBound) else {
            throw ScanError(line: 1, column: 1, message: "seek failed: \(String(cString: strerror(errno)))")
        }
        base = range.lowerBound
        lineStart = range.lowerBound
        limit = range.upperBound
    }

    /// How many bytes one read may take: the buffer's room, within the range.
    @inline(__always) private func room(_ free: Int) -> Int {
        guard let limit else { return free }
        return max(0, min(free, limit - (base + end)))
    }

    /// Scans bytes in memory (tests, fuzzing).
    package convenience init(bytes: [UInt8], maxDepth: Int = 256) {
        self.init(fd: -1, closeOnDeinit: false, chunkSize: max(bytes.count, 1), maxDepth: maxDepth)
        bytes.withUnsafeBufferPointer { src in
            if let b = src.baseAddress { buffer.update(from: b, count: bytes.count) }
        }
        end = bytes.count
        atEOF = true
    }

    deinit {
        buffer.deallocate()
        if closeOnDeinit && fd >= 0 { close(fd) }
    }

    /// Absolute byte offset of the next byte.
    package var offset: Int { base + pos }
    package var column: Int { base + pos - lineStart + 1 }

    package func error(_ message: String, hint: String = "") -> ScanError {
        ScanError(line: line, column: column, message: message, hint: hint)
    }

    // MARK: Byte access

    private func refill() throws {
        if atEOF { return }
        base += end
        pos = 0
        end = 0
        while true {
            let want = room(capacity)
            if want == 0 { atEOF = true; return }
            let n = read(fd, buffer, want)
            if n > 0 { end = n; onBytes?(UnsafeRawBufferPointer(start: buffer, count: n)); return }
            if n == 0 { atEOF = true; return }
            if errno == EINTR { continue }
            throw ScanError(line: line, column: column, message: "read failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The next byte without consuming it, or 0 at the end of input (check `isAtEnd`).
    @inline(__always) package func peek() throws -> UInt8 {
        if pos < end { return buffer[pos] }
        try refill()
        return pos < end ? buffer[pos] : 0
    }

    @inline(__always) func advance() { pos += 1 }

    package func isAtEnd() throws -> Bool {
        if pos < end { return false }
        try refill()
        return pos >= end
    }

    /// Skips JSON white space, counting lines.
    @inline(__always) package func skipWhitespace() throws {
        while true {
            if pos >= end {
                try refill()
                if pos >= end { return }
            }
            let c = buffer[pos]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                pos += 1
            } else if c == 0x0A {
                pos += 1
                line += 1
                lineStart = base + pos
            } else {
                return
            }
        }
    }

    /// Skips white space and the RFC 8142 record separator (0x1E) between sequence records.
    package func skipWhitespaceAndRecordSeparators() throws {
        while true {
            try skipWhitespace()
            if try peek() == 0x1E { advance() } else { return }
        }
    }

    /// Consumes `byte` after optional white space or throws naming what was expected.
    package func expect(_ byte: UInt8, _ what: String) throws {
        try skipWhitespace()
        let c = try peek()
        let atEnd = c == 0 ? try isAtEnd() : false
        guard c == byte, !atEnd else {
            throw try unexpected(expected: what)
        }
        advance()
    }

    /// An error for an unexpected byte (or the end of input).
    package func unexpected(expected: String) throws -> ScanError {
        if try isAtEnd() {
            return error("unexpected end of file, expected \(expected)",
                         hint: "the file is truncated or not closed: re-export or re-download it")
        }
        let c = try peek()
        let shown: String
        if c >= 0x20 && c < 0x7F {
            shown = "'\(Character(Unicode.Scalar(c)))'"
        } else {
            shown = "byte 0x" + String(c, radix: 16, uppercase: true)
        }
        var hint = ""
        if c == UInt8(ascii: "N") || c == UInt8(ascii: "I") {
            hint = "NaN and Infinity are not JSON numbers: coordinates must be finite decimal numbers"
        } else if c == 0xEF {
            hint = "a byte order mark is only allowed at the very start of the file"
        }
        return error("unexpected \(shown), expected \(expected)", hint: hint)
    }

    /// Skips a UTF-8 byte order mark at the start of the input.
    package func skipByteOrderMark() throws {
        guard offset == 0, try peek() == 0xEF else { return }
        // A BOM is 3 bytes; refills keep them in one chunk except for tiny chunk sizes.
        if end - pos >= 3, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF {
            pos += 3
            lineStart = base + pos
        }
    }

    // MARK: Strings

    /// Parses a JSON string (the opening quote not yet consumed) into UTF-8 bytes in `scratch`.
    private func scanString() throws {
        try skipWhitespace()
        guard try peek() == 0x22 else { throw try unexpected(expected: "a string") }
        advance()
        scratch.removeAll(keepingCapacity: true)
        while true {
            if pos >= end {
                try refill()
                if pos >= end {
                    throw error("unexpected end of file inside a string",
                                hint: "the file is truncated or a string is not closed with \"")
                }
            }
            // Fast run of plain bytes.
            var i = pos
            while i < end {
                let c = buffer[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                i += 1
            }
            if i > pos {
                scratch.append(contentsOf: UnsafeBufferPointer(start: buffer + pos, count: i - pos))
                pos = i
                continue
            }
            let c = buffer[pos]
            if c == 0x22 { pos += 1; return }
            if c < 0x20 {
                throw error("control character 0x\(String(c, radix: 16)) inside a string",
                            hint: "line breaks and tabs inside strings must be escaped as \\n and \\t")
            }
            // Escape.
            pos += 1
            let e = try peek()
            advance()
            switch e {
            case 0x22: scratch.append(0x22)
            case 0x5C: scratch.append(0x5C)
            case 0x2F: scratch.append(0x2F)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // High surrogate: a low one must follow.
                    guard try peek() == 0x5C else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                    advance()
                    guard try peek() == 0x75 else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                    advance()
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid UTF-16 surrogate pair in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("unpaired UTF-16 surrogate in \\u escape")
                }
                appendUTF8(scalar)
            default:
                throw error("invalid escape sequence in a string", hint: "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
            }
        }
    }

    private func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = try peek()
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape: expected 4 hexadecimal digits")
            }
            v = v << 4 | d
            advance()
        }
        return v
    }

    private func appendUTF8(_ v: UInt32) {
        if v < 0x80 {
            scratch.append(UInt8(v))
        } else if v < 0x800 {
            scratch.append(UInt8(0xC0 | (v >> 6)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            scratch.append(UInt8(0xE0 | (v >> 12)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (v >> 18)))
            scratch.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Parses a string value, validating UTF-8.
    package func parseString() throws -> String {
        try skipWhitespace()
        // Fast path: a short string without escapes, wholly in the buffer.
        let available = try ensure(256)
        if available > 1 && buffer[pos] == 0x22 {
            let start = buffer + pos + 1
            var i = 0
            var ascii = true
            while i < available - 1 {
                let c = start[i]
                if c == 0x22 || c == 0x5C || c < 0x20 { break }
                if c >= 0x80 { ascii = false }
                i += 1
            }
            if i < available - 1 && start[i] == 0x22 {
                let bytes = UnsafeBufferPointer(start: start, count: i)
                if ascii {
                    pos += i + 2
                    return String(decoding: bytes, as: UTF8.self)
                }
                if let s = String(validating: bytes, as: UTF8.self) {
                    pos += i + 2
                    return s
                }
            }
        }
        let startLine = line, startColumn = column
        try scanString()
        guard let s = String(validating: scratch, as: UTF8.self) else {
            throw ScanError(line: startLine, column: startColumn,
                            message: "string is not valid UTF-8",
                            hint: "GeoJSON must be UTF-8: convert the file, e.g. `iconv -f latin1 -t utf-8 in.geojson > out.geojson`")
        }
        return s
    }

    /// Compares the next string with `key` without building a String (member names).
    package func parseKey() throws -> String {
        try parseString()
    }

    // MARK: Numbers

    private static let powersOf10: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// Makes at least `n` bytes available contiguously from `pos` (fewer only at the end
    /// of input) by moving the unread rest to the front of the buffer and reading more.
    @inline(__always) func ensure(_ n: Int) throws -> Int {
        if end - pos >= n || atEOF { return end - pos }
        let remaining = end - pos
        if pos > 0 {
            memmove(buffer, buffer + pos, remaining)
            base += pos
            pos = 0
            end = remaining
        }
        while end < min(n, capacity) && !atEOF {
            let want = room(capacity - end)
            if want == 0 { atEOF = true; break }
            let r = read(fd, buffer + end, want)
            if r > 0 { onBytes?(UnsafeRawBufferPointer(start: buffer + end, count: r)); end += r } else if r == 0 { atEOF = true } else if errno != EINTR {
                throw ScanError(line: line, column: column, message: "read failed: \(String(cString: strerror(errno)))")
            }
        }
        return end - pos
    }

    /// Parses a JSON number, strictly per RFC 8259. Returns the value and whether it was
    /// written as an integer (no fraction, no exponent).
    package func parseNumber() throws -> (value: Double, isInteger: Bool, integer: Int64?) {
        try skipWhitespace()
        let available = try ensure(64)
        if let fast = fastNumber(available) { return fast }
        return try slowNumber()
    }

    /// The common case, in place in the buffer: a well-formed number followed by another
    /// byte within `available`. Returns nil for anything else (the slow path then parses
    /// it, or reports the error with its position).
    @inline(__always) private func fastNumber(_ available: Int) -> (value: Double, isInteger: Bool, integer: Int64?)? {
        let p = buffer + pos
        var i = 0
        var negative = false
        if i < available && p[i] == 0x2D { negative = true; i += 1 }
        guard i < available, p[i] >= 0x30 && p[i] <= 0x39 else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        // A non-zero digit beyond the 19 kept in `mantissa` (ogr2ogr writes coordinates
        // with 21 significant digits, 402928.653999999980442): the value is then decided
        // from the 19 kept, w, and w + 1 (`DecimalToDouble.valueTruncated`). These went
        // byte by byte through `slowNumber`, 5.8 % of inspecting the M FeatureCollection
        // (perf; docs/performance.md); strtod, the library, is slower still.
        var truncated = false
        if p[i] == 0x30 {
            i += 1
            if i < available && p[i] >= 0x30 && p[i] <= 0x39 { return nil }
        } else {
            while i < available && p[i] >= 0x30 && p[i] <= 0x39 {
                let d = p[i] &- 0x30
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d); digits += 1
                } else {
                    if d != 0 { truncated = true }
                    exp10 += 1
                }
                i += 1
            }
        }
        var isInteger = true
        if i < available && p[i] == 0x2E {
            isInteger = false
            i += 1
            let start = i
            while i < available && p[i] >= 0x30 && p[i] <= 0x39 {
                let d = p[i] &- 0x30
                if mantissa == 0 && d == 0 {
                    exp10 -= 1      // leading zeros of the fraction (0.000123) are not significant
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d); digits += 1; exp10 -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
            if i == start { return nil }
        }
        if i < available && (p[i] == 0x65 || p[i] == 0x45) {
            isInteger = false
            i += 1
            var expNegative = false
            if i < available && (p[i] == 0x2B || p[i] == 0x2D) { expNegative = p[i] == 0x2D; i += 1 }
            let start = i
            var ev = 0
            while i < available && p[i] >= 0x30 && p[i] <= 0x39 {
                if ev < 100_000 { ev = ev * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            if i == start { return nil }
            exp10 += expNegative ? -ev : ev
        }
        // A terminator must follow inside the buffer (strtod below reads up to it).
        guard i < available else { return nil }
        let c = p[i]
        if (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x65 || c == 0x45 || c == 0x2D || c == 0x2B { return nil }
        if isInteger && !truncated && exp10 == 0 && mantissa <= UInt64(Int64.max) {
            let v = negative ? -Int64(mantissa) : Int64(mantissa)
            pos += i
            // -0 is the integer 0, but as a double it keeps its sign (as strtod reads it).
            return (negative && mantissa == 0 ? -0.0 : Double(v), true, v)
        }
        let value: Double
        if !truncated && mantissa < (1 << 53) && exp10 >= -22 && exp10 <= 22 {
            // Clinger's fast path: exact.
            var v = Double(mantissa)
            if exp10 < 0 { v /= Self.powersOf10[-exp10] } else { v *= Self.powersOf10[exp10] }
            value = negative ? -v : v
        } else if let v = truncated ? DecimalToDouble.valueTruncated(mantissa, exp10, negative: negative)
                                    : DecimalToDouble.value(mantissa, exp10, negative: negative) {
            // Eisel–Lemire: 17-digit coordinates (78613.52500000001), large exponents, and
            // more than 19 significant digits when w and w + 1 round alike.
            value = v
        } else {
            value = p.withMemoryRebound(to: CChar.self, capacity: i + 1) { strtod($0, nil) }
        }
        pos += i
        return (value, isInteger, nil)
    }

    /// Byte-by-byte number parsing with precise error messages.
    private func slowNumber() throws -> (value: Double, isInteger: Bool, integer: Int64?) {
        let startLine = line, startColumn = column
        var negative = false
        var c = try peek()
        if c == 0x2D { negative = true; advance(); c = try peek() }
        guard c >= 0x30 && c <= 0x39 else {
            if c == UInt8(ascii: "I") || c == UInt8(ascii: "N") {
                throw ScanError(line: startLine, column: startColumn, message: "Infinity/NaN is not a JSON number",
                                hint: "coordinates and values must be finite decimal numbers; fix or drop this feature in the source")
            }
            throw try unexpected(expected: "a digit")
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exp10 = 0
        var overflowDigits = false  // a non-zero digit beyond the 19 kept in mantissa
        var expSaturated = false    // an exponent too long to hold: leave it to strtod
        scratch.removeAll(keepingCapacity: true)
        if negative { scratch.append(0x2D) }
        if c == 0x30 {
            scratch.append(c); advance()
            let n = try peek()
            if n >= 0x30 && n <= 0x39 {
                throw error("leading zeros are not allowed in JSON numbers")
            }
        } else {
            while true {
                let d = try peek()
                guard d >= 0x30 && d <= 0x39 else { break }
                scratch.append(d); advance()
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d - 0x30); digits += 1 }
                else { if d != 0x30 { overflowDigits = true }; exp10 += 1 }
            }
        }
        var isInteger = true
        if try peek() == 0x2E {
            isInteger = false
            scratch.append(0x2E); advance()
            var any = false
            while true {
                let d = try peek()
                guard d >= 0x30 && d <= 0x39 else { break }
                any = true
                scratch.append(d); advance()
                if mantissa == 0 && d == 0x30 { exp10 -= 1 }  // leading zeros are not significant
                else if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d - 0x30); digits += 1; exp10 -= 1 }
                else if d != 0x30 { overflowDigits = true }
            }
            guard any else { throw error("a digit must follow the decimal point") }
        }
        let e = try peek()
        if e == 0x65 || e == 0x45 {
            isInteger = false
            scratch.append(e); advance()
            var s = try peek()
            var expNegative = false
            if s == 0x2B || s == 0x2D { expNegative = s == 0x2D; scratch.append(s); advance(); s = try peek() }
            guard s >= 0x30 && s <= 0x39 else { throw error("a digit must follow the exponent sign") }
            var ev = 0
            while true {
                let d = try peek()
                guard d >= 0x30 && d <= 0x39 else { break }
                scratch.append(d); advance()
                if ev < 100_000 { ev = ev * 10 + Int(d - 0x30) } else { expSaturated = true }
            }
            exp10 += expNegative ? -ev : ev
        }
        if isInteger && !overflowDigits && exp10 == 0 {
            let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
            if mantissa <= limit {
                let i: Int64 = negative ? (mantissa == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mantissa)) : Int64(mantissa)
                return (negative && mantissa == 0 ? -0.0 : Double(i), true, i)
            }
        }
        // Clinger's fast path: exact when the mantissa fits in 53 bits and |exp| <= 22.
        if !overflowDigits && mantissa < (1 << 53) && exp10 >= -22 && exp10 <= 22 {
            var v = Double(mantissa)
            if exp10 < 0 { v /= Self.powersOf10[-exp10] } else { v *= Self.powersOf10[exp10] }
            return (negative ? -v : v, isInteger, nil)
        }
        // Eisel–Lemire; with more than 19 significant digits, from the 19 kept (w) and w + 1.
        if !expSaturated {
            let v = overflowDigits ? DecimalToDouble.valueTruncated(mantissa, exp10, negative: negative)
                                   : DecimalToDouble.value(mantissa, exp10, negative: negative)
            if let v { return (v, isInteger, nil) }
        }
        scratch.append(0)
        let v = scratch.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { strtod($0, nil) }
        }
        return (v, isInteger, nil)
    }

    // MARK: Values

    /// Parses any JSON value into a `JSONValue`, refusing nesting deeper than `maxDepth`.
    package func parseValue(depth: Int = 0) throws -> JSONValue {
        try skipWhitespace()
        let c = try peek()
        switch c {
        case 0x22:
            return .string(try parseString())
        case 0x7B:
            guard depth < maxDepth else { throw nestingError() }
            advance()
            var object = JSONObject()
            try skipWhitespace()
            if try peek() == 0x7D { advance(); return .object(object) }
            // One allocation per array for the usual handful of feature properties, instead
            // of growing 1, 2, 4, 8.
            object.reserveCapacity(8)
            while true {
                let key = try parseKey()
                try expect(0x3A, "':' after a member name")
                object[key] = try parseValue(depth: depth + 1)
                try skipWhitespace()
                let n = try peek()
                if n == 0x2C { advance(); continue }
                if n == 0x7D { advance(); return .object(object) }
                throw try unexpected(expected: "',' or '}' in an object")
            }
        case 0x5B:
            guard depth < maxDepth else { throw nestingError() }
            advance()
            var array: [JSONValue] = []
            try skipWhitespace()
            if try peek() == 0x5D { advance(); return .array(array) }
            while true {
                array.append(try parseValue(depth: depth + 1))
                try skipWhitespace()
                let n = try peek()
                if n == 0x2C { advance(); continue }
                if n == 0x5D { advance(); return .array(array) }
                throw try unexpected(expected: "',' or ']' in an array")
            }
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        default:
            if c == 0x2D || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") {
                let n = try parseNumber()
                if let i = n.integer { return .integer(i) }
                return .number(n.value)
            }
            throw try unexpected(expected: "a JSON value")
        }
    }

    private func nestingError() -> ScanError {
        error("values nested deeper than \(maxDepth) levels",
              hint: "Terrein refuses such deep nesting to stay safe; flatten or drop this property in the source")
    }

    /// Skips any JSON value without materialising it; iterative, so nesting depth is unbounded.
    package func skipValue() throws {
        var stack: [UInt8] = []  // expected closing brackets
        repeat {
            try skipWhitespace()
            let c = try peek()
            switch c {
            case 0x22: try scanString()
            case 0x7B:
                advance()
                try skipWhitespace()
                if try peek() == 0x7D { advance() } else {
                    stack.append(0x7D)
                    _ = try scanString()
                    try expect(0x3A, "':' after a member name")
                    continue
                }
            case 0x5B:
                advance()
                try skipWhitespace()
                if try peek() == 0x5D { advance() } else { stack.append(0x5D); continue }
            case 0x74: try literal("true")
            case 0x66: try literal("false")
            case 0x6E: try literal("null")
            default:
                if c == 0x2D || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") {
                    _ = try parseNumber()
                } else {
                    throw try unexpected(expected: "a JSON value")
                }
            }
            // After a value: close containers or move to the next element.
            while let closer = stack.last {
                try skipWhitespace()
                let n = try peek()
                if n == 0x2C {
                    advance()
                    if closer == 0x7D {
                        try scanString()
                        try expect(0x3A, "':' after a member name")
                    }
                    break
                }
                if n == closer { advance(); stack.removeLast(); continue }
                throw try unexpected(expected: closer == 0x7D ? "',' or '}' in an object" : "',' or ']' in an array")
            }
        } while !stack.isEmpty
    }

    private func literal(_ word: StaticString) throws {
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for b in bytes {
            guard try peek() == b else { throw try unexpected(expected: "'\(word)'") }
            advance()
        }
    }

    // MARK: Iterating containers

    /// Iterates the members of an object (the '{' not yet consumed).
    /// One GeoJSON position `[x, y, ...]`: its first `keep` numbers are appended to `xy`,
    /// and the count of numbers is returned. In the scanner, not the reader, so that the
    /// per-number loop stays inside this module (with its exclusivity checks off).
    package func parsePosition(into xy: inout [Double], keep: Int, hint: String) throws -> Int {
        try skipWhitespace()
        guard try peek() == 0x5B else {
            throw try unexpected(expected: "a position [x, y]")
        }
        var n = 0
        try forEachElement {
            try skipWhitespace()
            let c = try peek()
            guard c == 0x2D || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "N") || c == UInt8(ascii: "I") else {
                var e = try unexpected(expected: n < keep ? "a number in a position" : "a number (z or m) in a position")
                e.hint = hint
                throw e
            }
            let v = try parseNumber().value
            if n < keep { xy.append(v) }
            n += 1
        }
        return n
    }

    package func forEachMember(_ body: (String) throws -> Void) throws {
        try expect(0x7B, "'{'")
        try skipWhitespace()
        if try peek() == 0x7D { advance(); return }
        while true {
            let key = try parseKey()
            try expect(0x3A, "':' after a member name")
            try body(key)
            try skipWhitespace()
            let n = try peek()
            if n == 0x2C { advance(); continue }
            if n == 0x7D { advance(); return }
            throw try unexpected(expected: "',' or '}' in an object")
        }
    }

    /// Iterates the elements of an array (the '[' not yet consumed).
    package func forEachElement(_ body: () throws -> Void) throws {
        try expect(0x5B, "'['")
        try skipWhitespace()
        if try peek() == 0x5D { advance(); return }
        while true {
            try body()
            try skipWhitespace()
            let n = try peek()
            if n == 0x2C { advance(); continue }
            if n == 0x5D { advance(); return }
            throw try unexpected(expected: "',' or ']' in an array")
        }
    }

    /// An unsigned integer written as digits alone (no sign, fraction or exponent), up to
    /// UInt64.max: what `JSONEncoder` writes for a UInt64, such as a double's bit pattern,
    /// which `parseNumber` would round to a Double above Int64.max.
    package func parseUInt64() throws -> UInt64 {
        try skipWhitespace()
        let available = try ensure(24)
        var value: UInt64 = 0
        var i = 0
        while i < available, buffer[pos + i] >= 0x30 && buffer[pos + i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(buffer[pos + i] &- 0x30))
            guard !o1 && !o2 else { throw error("an unsigned integer beyond 64 bits") }
            value = a
            i += 1
        }
        guard i > 0 else { throw try unexpected(expected: "an unsigned integer") }
        if i < available, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(buffer[pos + i]) {
            throw error("expected an unsigned integer, found a fraction or an exponent")
        }
        pos += i
        return value
    }

    /// True when the next non-white-space byte is `byte` (not consumed).
    package func nextIs(_ byte: UInt8) throws -> Bool {
        try skipWhitespace()
        return try peek() == byte
    }
}
