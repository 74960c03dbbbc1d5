#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Just enough JSON to pull string fields out of one flat log object, on bytes.
///
/// It validates the structure it walks (strings, numbers, literals, nested values) and gives up
/// with `nil` on anything malformed or truncated, so the caller can treat the line as text.
struct JSONScanner {
  private let bytes: UnsafeRawBufferPointer
  private var index = 0
  /// Nested values deeper than this are refused (a hostile line cannot recurse us to death).
  static let maxDepth = 64

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// The raw (still escaped) ranges of the top-level string fields a log line can carry.
  struct LogFields {
    var data: Range<Int>?
    var message: Range<Int>?
    var timestamp: Range<Int>?
  }

  /// The string fields `data`, `message` and `timestamp` of the top-level object (first
  /// occurrence of each); `nil` when `bytes` is not exactly one JSON object. No allocation.
  mutating func logFields() -> LogFields? {
    var found = LogFields()
    skipSpace()
    guard take(UInt8(ascii: "{")) else { return nil }
    skipSpace()
    if take(UInt8(ascii: "}")) { return trailingSpaceOnly() ? found : nil }
    while true {
      skipSpace()
      guard let key = string() else { return nil }
      skipSpace()
      guard take(UInt8(ascii: ":")) else { return nil }
      skipSpace()
      if peek == UInt8(ascii: "\"") {
        guard let value = string() else { return nil }
        if found.data == nil && equals(key, "data") {
          found.data = value
        } else if found.message == nil && equals(key, "message") {
          found.message = value
        } else if found.timestamp == nil && equals(key, "timestamp") {
          found.timestamp = value
        }
      } else {
        guard skipValue(depth: 1) else { return nil }
      }
      skipSpace()
      if take(UInt8(ascii: ",")) { continue }
      guard take(UInt8(ascii: "}")) else { return nil }
      return trailingSpaceOnly() ? found : nil
    }
  }

  /// Decodes the escaped JSON string body `raw` into `out` (at least 1.5 × `raw.count` bytes:
  /// an invalid `\u`, 2 bytes, becomes U+FFFD, 3 bytes).
  /// Returns the number of bytes written. Invalid escapes become U+FFFD.
  static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
    var read = 0
    var write = 0
    func put(_ byte: UInt8) {
      out[write] = byte
      write &+= 1
    }
    func putScalar(_ value: UInt32) {
      let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
      for unit in UTF8.encode(scalar)! { put(unit) }
    }
    func hex4(_ at: Int) -> UInt32? {
      guard at + 4 <= raw.count else { return nil }
      var value: UInt32 = 0
      for offset in 0..<4 {
        guard let digit = hexValue(raw[at + offset]) else { return nil }
        value = value << 4 | UInt32(digit)
      }
      return value
    }
    while read < raw.count {
      // Copy the run up to the next backslash in one go (most strings have one escape or none).
      let rest = raw.count - read
      let run = memchr(raw.baseAddress! + read, 0x5C, rest).map { raw.baseAddress!.distance(to: UnsafeRawPointer($0)) - read } ?? rest
      if run > 0 {
        (out.baseAddress! + write).copyMemory(from: raw.baseAddress! + read, byteCount: run)
        read += run
        write += run
        continue
      }
      guard read + 1 < raw.count else {
        put(raw[read])
        read += 1
        continue
      }
      let kind = raw[read + 1]
      read += 2
      switch kind {
      case UInt8(ascii: "n"): put(0x0A)
      case UInt8(ascii: "t"): put(0x09)
      case UInt8(ascii: "r"): put(0x0D)
      case UInt8(ascii: "b"): put(0x08)
      case UInt8(ascii: "f"): put(0x0C)
      case UInt8(ascii: "u"):
        guard let high = hex4(read) else {
          putScalar(0xFFFD)
          continue
        }
        read += 4
        if (0xD800..<0xDC00).contains(high), read + 6 <= raw.count, raw[read] == UInt8(ascii: "\\"),
          raw[read + 1] == UInt8(ascii: "u"), let low = hex4(read + 2), (0xDC00..<0xE000).contains(low)
        {
          read += 6
          putScalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        } else {
          putScalar(high)  // a lone surrogate is not a scalar: U+FFFD
        }
      default: put(kind)  // \" \\ \/ and anything else: the character itself
      }
    }
    return write
  }

  /// Whether decoding the escapes of the JSON text `line` could produce a literal that its raw
  /// bytes do not show: an escape standing for a byte some literal contains (`literalBytes`),
  /// or for ESC (the decoded text loses its ANSI sequences, which may join a literal). `\"`
  /// and `\\` are left out: the prefilter also looks for literals in that spelling.
  static func escapesMayHideLiteral(_ line: UnsafeRawBufferPointer, literalBytes: ByteSet) -> Bool {
    guard let base = line.baseAddress else { return false }
    var position = 0
    while position < line.count, let found = memchr(base + position, 0x5C, line.count - position) {
      let slash = base.distance(to: UnsafeRawPointer(found))
      guard slash + 1 < line.count else { return false }
      let kind = line[slash + 1]
      position = slash + 2
      let decoded: UInt8
      switch kind {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): continue
      case UInt8(ascii: "n"): decoded = 0x0A
      case UInt8(ascii: "t"): decoded = 0x09
      case UInt8(ascii: "r"): decoded = 0x0D
      case UInt8(ascii: "b"): decoded = 0x08
      case UInt8(ascii: "f"): decoded = 0x0C
      case UInt8(ascii: "u"):
        // Four hex digits: an ASCII byte, or a character of several bytes of 0x80 and more.
        var value: UInt32 = 0
        for offset in 0..<4 {
          guard slash + 2 + offset < line.count, let digit = hexValue(line[slash + 2 + offset]) else { return true }
          value = value << 4 | UInt32(digit)
        }
        position = slash + 6
        if value >= 0x80 {
          if literalBytes.hasNonASCII { return true }
          continue
        }
        decoded = UInt8(value)
      default: decoded = kind
      }
      if decoded == 0x1B || literalBytes.contains(decoded) { return true }
    }
    return false
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  // MARK: - Walking

  private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func take(_ byte: UInt8) -> Bool {
    guard peek == byte else { return false }
    index += 1
    return true
  }

  private mutating func skipSpace() {
    while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
  }

  private mutating func trailingSpaceOnly() -> Bool {
    skipSpace()
    return index == bytes.count
  }

  /// Reads a string; returns the range of its body (between the quotes, still escaped).
  private mutating func string() -> Range<Int>? {
    guard take(UInt8(ascii: "\"")), let base = bytes.baseAddress else { return nil }
    let start = index
    var position = index
    var quote = -1
    // Find a quote, then the backslashes before it: each escapes the byte after it (which may
    // be that quote: then look for the next one). Linear: every byte is looked at once.
    while position < bytes.count {
      if quote < position {
        guard let found = memchr(base + position, 0x22, bytes.count - position) else { return nil }
        quote = base.distance(to: UnsafeRawPointer(found))
      }
      if let slash = memchr(base + position, 0x5C, quote - position) {
        position = base.distance(to: UnsafeRawPointer(slash)) + 2
        continue
      }
      index = quote + 1
      return start..<quote
    }
    return nil
  }

  private mutating func skipValue(depth: Int) -> Bool {
    guard depth <= JSONScanner.maxDepth, let byte = peek else { return false }
    switch byte {
    case UInt8(ascii: "\""): return string() != nil
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
      index += 1
      skipSpace()
      if take(close) { return true }
      while true {
        skipSpace()
        if close == UInt8(ascii: "}") {
          guard string() != nil else { return false }
          skipSpace()
          guard take(UInt8(ascii: ":")) else { return false }
          skipSpace()
        }
        guard skipValue(depth: depth + 1) else { return false }
        skipSpace()
        if take(UInt8(ascii: ",")) { continue }
        return take(close)
      }
    case UInt8(ascii: "t"): return literal("true")
    case UInt8(ascii: "f"): return literal("false")
    case UInt8(ascii: "n"): return literal("null")
    default: return number()
    }
  }

  /// Reads `word` (`true`, `false` or `null`), which must not run on into more letters.
  private mutating func literal(_ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard bytes.count - index >= count else { return false }
    for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
    index += count
    return true
  }

  /// Reads a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Anything
  /// else (a bare word, `+1`, `.5`, `1.`) is not JSON, and the line is then read as text.
  private mutating func number() -> Bool {
    _ = take(UInt8(ascii: "-"))
    if take(UInt8(ascii: "0")) {
      // No leading zeros.
    } else {
      guard digits() else { return false }
    }
    if take(UInt8(ascii: ".")) {
      guard digits() else { return false }
    }
    if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
      if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
      guard digits() else { return false }
    }
    return true
  }

  /// Reads one or more decimal digits.
  private mutating func digits() -> Bool {
    let start = index
    while let next = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) { index += 1 }
    return index > start
  }

  private func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
    guard range.count == name.utf8CodeUnitCount else { return false }
    let pointer = name.utf8Start
    for offset in 0..<range.count where bytes[range.lowerBound + offset] != pointer[offset] { return false }
    return true
  }
}
