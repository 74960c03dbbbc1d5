#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Turns one raw input line into the log text to match, (docs/input.md).
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
///
/// One decoder serves one input at a time. Its mutable state sits behind a pointer owned by the
/// decoder, so the per-line calls pay no reference counting or exclusivity checks.
package final class LineDecoder {
  /// The per-input state.
  private struct State {
    var sawSSE = false
    var timestampLength = 0
    /// What ``load(_:)`` left to hand out: one text, or decoded text still to split at `\n`.
    var pending: UnsafeRawBufferPointer?
    var pendingIsMultiline = false
  }

  private let scratch: UnsafeMutableRawBufferPointer
  /// The size of each half of `scratch`: JSON decoding writes the lower half, ANSI stripping
  /// the upper one.
  private let scratchHalf: Int
  private let timestampStorage: UnsafeMutableRawBufferPointer
  private let state: UnsafeMutablePointer<State>
  private let maxLength: Int

  /// Creates a decoder for lines of at most `maxLineLength` bytes.
  package init(maxLineLength: Int = 1 << 20) {
    maxLength = maxLineLength
    // Decoded JSON text can be half as long again as its line (an invalid `\u` escape, 2
    // bytes, becomes U+FFFD, 3 bytes); ANSI stripping copies at most what it is given.
    scratchHalf = maxLineLength + maxLineLength / 2 + 16
    scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * scratchHalf, alignment: 16)
    timestampStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  deinit {
    scratch.deallocate()
    timestampStorage.deallocate()
    state.deinitialize(count: 1)
    state.deallocate()
  }

  /// The `timestamp` of the last SSE or JSON line that had one, as written (ISO-8601).
  package var lastTimestamp: String? {
    let length = state.pointee.timestampLength
    return length == 0 ? nil : String(decoding: UnsafeRawBufferPointer(rebasing: timestampStorage[0..<length]), as: UTF8.self)
  }

  /// Forgets what earlier input showed (SSE mode, the last timestamp): call between inputs.
  package func reset() { state.pointee = State() }

  /// The first bytes of the lines that may not be plain text (`{` of a JSON object, `d` of
  /// `data:`): a reader passing over lines in bulk stops before them.
  package static let structuredLineStarts = (UInt8(ascii: "{"), UInt8(ascii: "d"))

  /// Whether `line`'s log text is the line itself once ANSI escapes are removed (it is no SSE or
  /// JSON line, and the input has shown no SSE so far): a cheap look at its first bytes.
  @inline(__always)
  package func isPlainText(_ line: UnsafeRawBufferPointer) -> Bool {
    guard let first = line.first else { return !state.pointee.sawSSE }
    if first == UInt8(ascii: "{") || state.pointee.sawSSE { return false }
    return first != UInt8(ascii: "d") || !hasPrefix(line, "data:")
  }

  /// Whether the input has shown an SSE `data:` line (from then on no line is plain text).
  package var sawSSE: Bool { state.pointee.sawSSE }

  /// Does to the decoder's state (SSE mode, the last timestamp) what ``load(_:)`` would for a
  /// JSON or SSE line whose text is not needed (no entry can match it), without decoding it.
  ///
  /// - Returns: whether the state changed: SSE mode began, or a timestamp was kept.
  @discardableResult
  package func noteSkippedLine(_ line: UnsafeRawBufferPointer) -> Bool {
    let bytes = line.count > maxLength ? UnsafeRawBufferPointer(rebasing: line[0..<maxLength]) : line
    guard let first = bytes.first else { return false }
    if first == UInt8(ascii: "d"), hasPrefix(bytes, "data:") {
      let began = !state.pointee.sawSSE
      state.pointee.sawSSE = true
      var offset = 5
      if bytes.count > offset && bytes[offset] == UInt8(ascii: " ") { offset += 1 }
      let value = UnsafeRawBufferPointer(rebasing: bytes[offset..<bytes.count])
      guard !isBlank(value), let (fields, _) = logFields(value) else { return began }
      return recordTimestamp(fields, of: value) || began
    }
    guard first == UInt8(ascii: "{"), let (fields, _) = logFields(bytes) else { return false }
    return recordTimestamp(fields, of: bytes)
  }

  /// Takes one raw line; then ``nextText()`` hands out the log texts it carries.
  package func load(_ line: UnsafeRawBufferPointer) {
    state.pointee.pendingIsMultiline = false
    let bytes = line.count > maxLength ? UnsafeRawBufferPointer(rebasing: line[0..<maxLength]) : line
    guard let first = bytes.first else {
      state.pointee.pending = bytes
      return
    }
    if first == UInt8(ascii: "d"), hasPrefix(bytes, "data:") {
      state.pointee.sawSSE = true
      var offset = 5
      if bytes.count > offset && bytes[offset] == UInt8(ascii: " ") { offset += 1 }
      let value = UnsafeRawBufferPointer(rebasing: bytes[offset..<bytes.count])
      if isBlank(value) {
        state.pointee.pending = nil  // keep-alive
      } else if let text = decodeJSONObject(value) {
        state.pointee.pending = text
        state.pointee.pendingIsMultiline = true
      } else {
        state.pointee.pending = value
      }
      return
    }
    if state.pointee.sawSSE
      && (first == UInt8(ascii: ":") || hasPrefix(bytes, "event:") || hasPrefix(bytes, "id:") || hasPrefix(bytes, "retry:"))
    {
      state.pointee.pending = nil
      return
    }
    if first == UInt8(ascii: "{"), let text = decodeJSONObject(bytes) {
      state.pointee.pending = text
      state.pointee.pendingIsMultiline = true
      return
    }
    state.pointee.pending = bytes
  }

  /// The next log text of the loaded line (ANSI stripped), or `nil` when there is no more.
  ///
  /// The bytes are valid until the next call to ``load(_:)`` or ``nextText()``.
  package func nextText() -> UnsafeRawBufferPointer? {
    guard let text = state.pointee.pending else { return nil }
    guard state.pointee.pendingIsMultiline else {
      state.pointee.pending = nil
      return stripped(text)
    }
    // Decoded JSON text: trailing newlines are dropped; inner ones separate texts.
    var end = text.count
    while end > 0 && (text[end - 1] == 0x0A || text[end - 1] == 0x0D) { end -= 1 }
    var piece = UnsafeRawBufferPointer(rebasing: text[0..<end])
    if let base = piece.baseAddress, let newline = memchr(base, 0x0A, piece.count) {
      let position = base.distance(to: UnsafeRawPointer(newline))
      state.pointee.pending = UnsafeRawBufferPointer(rebasing: text[(position + 1)..<end])
      var stop = position
      if stop > 0 && piece[stop - 1] == 0x0D { stop -= 1 }
      piece = UnsafeRawBufferPointer(rebasing: piece[0..<stop])
    } else {
      state.pointee.pending = nil
    }
    return stripped(piece)
  }

  /// Calls `body` with each log text carried by `line` (zero, one or several).
  package func decode(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    load(line)
    while let text = nextText() { try body(text) }
  }

  // MARK: - Text output

  /// `text` with ANSI escape sequences removed (copied to the upper half of scratch, which JSON
  /// decoding never uses), or `text` itself when it has none.
  private func stripped(_ text: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    guard let base = text.baseAddress, memchr(base, 0x1B, text.count) != nil else { return text }
    let out = UnsafeMutableRawBufferPointer(rebasing: scratch[scratchHalf..<scratch.count])
    let length = ANSI.strip(text, into: out)
    return UnsafeRawBufferPointer(rebasing: out[0..<length])
  }

  // MARK: - JSON

  /// If `bytes` is one JSON object with a string `data` (or `message`) field, decodes that
  /// string into scratch and returns it; records a string `timestamp` field. Otherwise `nil`.
  private func decodeJSONObject(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    guard let (fields, text) = logFields(bytes) else { return nil }
    recordTimestamp(fields, of: bytes)
    let out = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<scratchHalf])
    let length = JSONScanner.unescape(UnsafeRawBufferPointer(rebasing: bytes[text]), into: out)
    return UnsafeRawBufferPointer(rebasing: out[0..<length])
  }

  /// The fields of a JSON log object, if `bytes` is one and it carries a text.
  private func logFields(_ bytes: UnsafeRawBufferPointer) -> (JSONScanner.LogFields, Range<Int>)? {
    var scanner = JSONScanner(bytes)
    guard let fields = scanner.logFields(), let text = fields.data ?? fields.message else { return nil }
    return (fields, text)
  }

  /// Keeps the object's `timestamp`, if it has one. Returns whether it had.
  @discardableResult
  private func recordTimestamp(_ fields: JSONScanner.LogFields, of bytes: UnsafeRawBufferPointer) -> Bool {
    guard let stamp = fields.timestamp else { return false }
    let length = min(stamp.count, timestampStorage.count)
    timestampStorage.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[stamp.lowerBound..<stamp.lowerBound + length]))
    state.pointee.timestampLength = length
    return true
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
