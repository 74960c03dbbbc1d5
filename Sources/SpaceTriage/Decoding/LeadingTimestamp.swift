/// A timestamp put in front of a line by whatever collected the log: `docker logs -t` and
/// `kubectl logs --timestamps` (RFC 3339, `2026-04-15T10:00:00.123456789Z `), or a bracketed
/// stamp (`[2026-04-15 10:00:00] `, `ts`-style). What follows it is what the app printed, and the
/// shapes read that from the start of the line (a traceback's `  File` frames, a bare
/// `ValueError: …`), so the stamp and the one blank after it are left out of the text
/// (docs/input.md). A bare `2026-04-15 10:00:00,123 ` is left in: that is how the app's own
/// logger starts a line (Python's logging), and a logged `ValueError: …` may have been handled.
enum LeadingTimestamp {
  /// `text` without its leading timestamp, or `text` itself when it has none.
  @inline(__always)
  static func stripped(_ text: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    // Cheap first look: a stamp starts with a digit or `[`.
    guard let first = text.first, first &- UInt8(ascii: "0") < 10 || first == UInt8(ascii: "[") else { return text }
    let length = prefixLength(text)
    return length == 0 ? text : UnsafeRawBufferPointer(rebasing: text[length...])
  }

  /// The length of the stamp and its blank at the start of `text`, or 0.
  ///
  /// `[`? `YYYY-MM-DD` (`T`, or a space inside brackets) `HH:MM:SS` (`.` or `,` and digits)?
  /// (`Z` or `±HH[:]MM`)? `]` (if opened) then one space or tab.
  static func prefixLength(_ text: UnsafeRawBufferPointer) -> Int {
    var cursor = Cursor(text: text)
    let bracketed = cursor.take(UInt8(ascii: "["))
    guard cursor.digits(4), cursor.take(UInt8(ascii: "-")), cursor.digits(2), cursor.take(UInt8(ascii: "-")),
      cursor.digits(2), cursor.take(UInt8(ascii: "T")) || (bracketed && cursor.take(UInt8(ascii: " "))),
      cursor.digits(2), cursor.take(UInt8(ascii: ":")), cursor.digits(2), cursor.take(UInt8(ascii: ":")), cursor.digits(2)
    else { return 0 }
    if cursor.take(UInt8(ascii: ".")) || cursor.take(UInt8(ascii: ",")) {
      guard cursor.digits(1) else { return 0 }
      while cursor.digits(1) {}
    }
    if !cursor.take(UInt8(ascii: "Z")), cursor.take(UInt8(ascii: "+")) || cursor.take(UInt8(ascii: "-")) {
      guard cursor.digits(2) else { return 0 }
      _ = cursor.take(UInt8(ascii: ":"))
      guard cursor.digits(2) else { return 0 }
    }
    guard !bracketed || cursor.take(UInt8(ascii: "]")), cursor.take(UInt8(ascii: " ")) || cursor.take(UInt8(ascii: "\t")) else {
      return 0
    }
    return cursor.offset
  }

  private struct Cursor {
    let text: UnsafeRawBufferPointer
    var offset = 0

    /// Consumes `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
      guard offset < text.count, text[offset] == byte else { return false }
      offset &+= 1
      return true
    }

    /// Consumes `count` ASCII digits if they come next (nothing otherwise).
    mutating func digits(_ count: Int) -> Bool {
      guard offset &+ count <= text.count else { return false }
      for index in offset..<(offset &+ count) where text[index] &- UInt8(ascii: "0") >= 10 { return false }
      offset &+= count
      return true
    }
  }
}
