#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns one raw input line into the log text to match, per SPEC "Input".
///
/// Detected per line:
/// - a server-sent event `data: {"data": "…", "timestamp": "…"}`: the text is `data`, the
///   timestamp is kept; empty `data:` keep-alives are skipped, and once a stream has shown SSE
///   data, `event:`, `id:`, `retry:` and `:` comment lines are skipped too;
/// - a JSON object line with a string `data` (or `message`) field;
/// - anything else is plain log text.
///
/// ANSI escape sequences are removed from the text. A `data` value holding several lines gives
/// several texts. Malformed JSON is treated as plain text, so nothing is lost. Decoding reuses
/// one scratch buffer: no allocation per line.
public final class LineDecoder {
  private let scratch: UnsafeMutableRawBufferPointer
  private let maxLength: Int
  private var sawSSE = false
  private var timestampStorage = [UInt8](repeating: 0, count: 64)
  private var timestampLength = 0

  /// Creates a decoder for lines of at most `maxLineLength` bytes.
  public init(maxLineLength: Int = 1 << 20) {
    maxLength = maxLineLength
    scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: maxLineLength * 2 + 16, alignment: 16)
  }

  deinit { scratch.deallocate() }

  /// The `timestamp` of the last SSE or JSON line that had one, as written (ISO-8601).
  public var lastTimestamp: String? {
    timestampLength == 0 ? nil : String(decoding: timestampStorage[0..<timestampLength], as: UTF8.self)
  }

  /// Calls `body` with each log text carried by `line` (zero, one or several).
  ///
  /// The bytes passed to `body` are valid only during the call.
  public func decode(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    let bytes = line.count > maxLength ? UnsafeRawBufferPointer(rebasing: line[0..<maxLength]) : line
    guard let first = bytes.first else { return try body(bytes) }
    if first == UInt8(ascii: "d"), hasPrefix(bytes, "data:") {
      sawSSE = true
      var payload = bytes.count - 5
      var offset = 5
      if payload > 0 && bytes[offset] == UInt8(ascii: " ") {
        offset += 1
        payload -= 1
      }
      let value = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + payload])
      if isBlank(value) { return }  // keep-alive
      if let text = decodeJSONObject(value) { return try emitLines(text, body) }
      return try emitStripped(value, body)
    }
    if sawSSE && (first == UInt8(ascii: ":") || hasPrefix(bytes, "event:") || hasPrefix(bytes, "id:") || hasPrefix(bytes, "retry:")) {
      return
    }
    if first == UInt8(ascii: "{"), let text = decodeJSONObject(bytes) {
      return try emitLines(text, body)
    }
    try emitStripped(bytes, body)
  }

  // MARK: - Text output

  /// Emits each `\n`-separated piece of decoded text (already in scratch), ANSI stripped.
  private func emitLines(_ text: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    var start = 0
    var end = text.count
    while end > start && (text[end - 1] == 0x0A || text[end - 1] == 0x0D) { end -= 1 }
    var index = start
    while index < end {
      if text[index] == 0x0A {
        var stop = index
        if stop > start && text[stop - 1] == 0x0D { stop -= 1 }
        try emitStripped(UnsafeRawBufferPointer(rebasing: text[start..<stop]), body)
        start = index + 1
      }
      index += 1
    }
    try emitStripped(UnsafeRawBufferPointer(rebasing: text[start..<end]), body)
  }

  /// Emits `text` with ANSI escape sequences removed (in place at the end of scratch).
  private func emitStripped(_ text: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    guard let base = text.baseAddress, memchr(base, 0x1B, text.count) != nil else {
      return try body(text)
    }
    // The stripped copy goes to the upper half of scratch, which JSON decoding never uses.
    let out = UnsafeMutableRawBufferPointer(rebasing: scratch[maxLength + 8..<scratch.count])
    let length = ANSI.strip(text, into: out)
    try body(UnsafeRawBufferPointer(rebasing: out[0..<length]))
  }

  // MARK: - JSON

  /// If `bytes` is one JSON object with a string `data` (or `message`) field, decodes that
  /// string into scratch and returns it; records a string `timestamp` field. Otherwise `nil`.
  private func decodeJSONObject(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    var scanner = JSONScanner(bytes)
    guard let fields = scanner.logFields(), let text = fields.data ?? fields.message else { return nil }
    if let stamp = fields.timestamp {
      timestampLength = min(stamp.count, timestampStorage.count)
      for index in 0..<timestampLength { timestampStorage[index] = bytes[stamp.lowerBound + index] }
    }
    let out = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<maxLength + 8])
    let length = JSONScanner.unescape(UnsafeRawBufferPointer(rebasing: bytes[text]), into: out)
    return UnsafeRawBufferPointer(rebasing: out[0..<length])
  }

  private func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
    let count = prefix.utf8CodeUnitCount
    guard bytes.count >= count else { return false }
    return memcmp(bytes.baseAddress!, prefix.utf8Start, count) == 0
  }

  private func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
  }
}
