/// Turns a log line into its *template*: the line with its volatile parts masked, so that the
/// same failure printed at another time, for another file or another request has one template.
///
/// Masks, tried in this order at each point of the line:
/// - `<URL>`: `scheme://…` up to a blank, a quote or a bracket;
/// - `<S>`: a string in double quotes, backticks, or single quotes (an apostrophe inside a
///   word, as in `can't`, is not a quote);
/// - `<PATH>`: `/a…`, `./a…`, `../a…`, `~/a…`, or a word with two or more `/`;
/// - `<TS>`: a date (`2026-01-01`, with its time, fraction and zone) or a time (`12:00:00`);
/// - `<ID>`: a UUID, a run of 8 or more hex digits with a digit in it (hashes, addresses),
///   `0x…`, or a word of 16 or more letters and digits mixing both (request ids);
/// - `<N>`: a number (`42`, `3.14`) that starts a word; digits inside a word (`python3`,
///   `cuda:0` keeps `cuda`) stay.
///
/// ANSI escape sequences and `\r` are dropped, blanks at the ends are trimmed.
/// Only the first ``maxInput`` bytes are read and the template is at most ``maxOutput``
/// bytes (cut at a character boundary). Works on bytes, into a caller's reused buffer: no
/// allocation once the buffer has grown.
package enum TemplateMasker {
  /// Bytes of a line looked at.
  package static let maxInput = 4096
  /// Bytes of a template at most.
  package static let maxOutput = 512

  /// The mask tokens, as they appear in templates.
  package static let masks = ["<URL>", "<S>", "<PATH>", "<TS>", "<ID>", "<N>"]

  /// The template of `text`.
  package static func template(of text: String) -> String {
    var out: [UInt8] = []
    var text = text
    text.withUTF8 { mask(UnsafeRawBufferPointer($0), into: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Writes the template of `text` into `out` (emptied first, capacity kept).
  package static func mask(_ text: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    out.removeAll(keepingCapacity: true)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: outputCapacity) { buffer in
      let count = write(text, into: buffer.baseAddress!)
      out.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress, count: count))
    }
  }

  /// Room the output buffer of ``write(_:into:)`` needs.
  package static let outputCapacity = maxOutput + 8

  /// Writes the template of `text` into `out` (room for ``outputCapacity`` bytes) and returns
  /// its length. The hot path of ``UnrecognizedCollector``: no allocation, no checks per byte.
  package static func write(_ text: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) -> Int {
    let n = min(text.count, maxInput)
    var count = 0
    var i = 0
    // Whether the byte before `i` ends a word (letters, digits); masks only start at a boundary.
    var boundary = true
    while i < n && count < maxOutput {
      let byte = text[i]
      if byte == 0x1B {
        i = skipEscape(text, i, n)
        boundary = true
        continue
      }
      if byte == 0x20 || byte == 0x09 || byte == 0x0D {
        // Blanks stay as they are (a pattern made from the template keeps long literals);
        // leading ones and `\r` go.
        if count > 0 && byte != 0x0D {
          out[count] = byte
          count &+= 1
        }
        boundary = true
        i &+= 1
        continue
      }
      if byte == 0x22 || byte == 0x60 || (byte == 0x27 && boundary) {
        if let close = closingQuote(text, i, n, quote: byte) {
          count = put(mask: .string, out, count)
          i = close &+ 1
        } else {
          out[count] = byte
          count &+= 1
          i &+= 1
        }
        boundary = true
        continue
      }
      if boundary && (byte == 0x2F || byte == 0x2E || byte == 0x7E), let end = pathEnd(text, i, n) {
        count = put(mask: .path, out, count)
        i = end
        boundary = false
        continue
      }
      if isAlnum(byte) {
        var end = wordEnd(text, from: i, n)
        var copyFrom = i
        if boundary {
          // What follows the word decides which masks may start here; most words need none.
          let next: UInt8 = end < n ? text[end] : 0
          // `scheme://` (most `word:` are not: look for the slashes first).
          if next == 0x3A && end &+ 3 < n && text[end &+ 1] == 0x2F && text[end &+ 2] == 0x2F && isLetter(byte),
            let urlEnd = urlEnd(text, i, n)
          {
            count = put(mask: .url, out, count)
            i = urlEnd
            boundary = false
            continue
          }
          if next == 0x2F || next == 0x2E || next == 0x5F || next == 0x2D || next == 0x2B || next == 0x3D,
            let pathEnd = pathEnd(text, i, n)
          {
            count = put(mask: .path, out, count)
            i = pathEnd
            boundary = false
            continue
          }
          if isDigit(byte) && (next == 0x2D || next == 0x3A || next == 0x2F), let stampEnd = timestampEnd(text, i, n) {
            count = put(mask: .timestamp, out, count)
            i = stampEnd
            boundary = false
            continue
          }
          if end &- i >= 16 || (end &- i >= 8 && isHex(byte)) || (byte == 0x30 && end &- i >= 3),
            let idEnd = idEnd(text, i, end, n)
          {
            count = put(mask: .id, out, count)
            i = idEnd
            boundary = false
            continue
          }
          if isDigit(byte) {
            var j = i
            while j < n && isDigit(text[j]) { j &+= 1 }
            while j &+ 1 < n && text[j] == 0x2E && isDigit(text[j &+ 1]) {
              j &+= 1
              while j < n && isDigit(text[j]) { j &+= 1 }
            }
            count = put(mask: .number, out, count)
            // Letters right after the number (`3.5GB`, `137s`) stay.
            copyFrom = j
            end = max(end, j)
            while end < n && isAlnum(text[end]) { end &+= 1 }
          }
        }
        // The rest of the word, as far as the output has room.
        let room = maxOutput &- count
        let length = min(max(0, end &- copyFrom), max(0, room))
        copy(text, from: copyFrom, count: length, to: out + count)
        count &+= max(0, length)
        i = end
        boundary = false  // a quote right after a word is an apostrophe (`can't`), a slash not a path (`I/O`)
        continue
      }
      out[count] = byte
      count &+= 1
      boundary = true
      i &+= 1
    }
    count = min(count, maxOutput)
    while count > 0 && (out[count &- 1] == 0x20 || out[count &- 1] == 0x09) { count &-= 1 }
    // Never end inside a UTF-8 sequence.
    var last = count &- 1
    while last >= 0 && out[last] & 0xC0 == 0x80 { last &-= 1 }
    if last >= 0 && out[last] >= 0xC0 {
      let need = out[last] >= 0xF0 ? 4 : out[last] >= 0xE0 ? 3 : 2
      if count &- last < need { count = last }
    }
    return count
  }

  /// Copies a word into the template: words are short, so a loop beats a `memmove` call.
  @inline(__always)
  static func copy(_ text: UnsafeRawBufferPointer, from start: Int, count: Int, to out: UnsafeMutablePointer<UInt8>) {
    guard count > 0, let base = text.baseAddress else { return }
    let source = base + start
    var offset = 0
    while offset &+ 8 <= count {
      UnsafeMutableRawPointer(out + offset).storeBytes(
        of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), as: UInt64.self)
      offset &+= 8
    }
    while offset < count {
      out[offset] = source.load(fromByteOffset: offset, as: UInt8.self)
      offset &+= 1
    }
  }

  /// The masks, as written into templates.
  enum Mask {
    case url, string, path, timestamp, id, number
  }

  @inline(__always)
  static func put(mask: Mask, _ out: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    var count = count
    @inline(__always) func byte(_ value: UInt8) {
      out[count] = value
      count &+= 1
    }
    byte(0x3C)  // <
    switch mask {
    case .url: byte(0x55); byte(0x52); byte(0x4C)  // URL
    case .string: byte(0x53)  // S
    case .path: byte(0x50); byte(0x41); byte(0x54); byte(0x48)  // PATH
    case .timestamp: byte(0x54); byte(0x53)  // TS
    case .id: byte(0x49); byte(0x44)  // ID
    case .number: byte(0x4E)  // N
    }
    byte(0x3E)  // >
    return count
  }

  // MARK: - Byte classes

  /// The end of the run of letters and digits from `start` (before `n`): 8 bytes at a time,
  /// so a word costs one unpredictable branch, not one per byte.
  @inline(__always)
  package static func wordEnd(_ text: UnsafeRawBufferPointer, from start: Int, _ n: Int) -> Int {
    var end = start
    guard let base = text.baseAddress else { return start }
    let high: UInt64 = 0x8080_8080_8080_8080
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    @inline(__always) func each(_ byte: UInt64) -> UInt64 { byte &* 0x0101_0101_0101_0101 }
    while end &+ 8 <= n {
      let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: end, as: UInt64.self))
      // Per byte (7 bits, so no carry crosses bytes): the high bit of `x + (0x80 - c)` is set
      // when `x >= c`. Digits are 0x30...0x39, letters (with 0x20 set) 0x61...0x7A.
      let bytes = word & low7
      let folded = (word | each(0x20)) & low7
      let digits = (bytes &+ each(0x80 - 0x30)) & ~(bytes &+ each(0x80 - 0x3A))
      let letters = (folded &+ each(0x80 - 0x61)) & ~(folded &+ each(0x80 - 0x7B))
      // Bytes of 0x80 and up are neither.
      let others = ~(digits | letters) & high | (word & high)
      if others != 0 { return end &+ others.trailingZeroBitCount &>> 3 }
      end &+= 8
    }
    while end < n && isAlnum(text[end]) { end &+= 1 }
    return end
  }

  // Wrapping subtraction: one comparison per range.
  @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
  @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
  @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 }
  @inline(__always) static func isHex(_ b: UInt8) -> Bool { b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 6 }

  /// Bytes a path is made of (not `:`, `,`, quotes, brackets or blanks).
  @inline(__always) static func isPathByte(_ b: UInt8) -> Bool {
    isAlnum(b) || b == 0x2F || b == 0x2E || b == 0x5F || b == 0x2D || b == 0x7E || b == 0x2B || b == 0x40 || b == 0x25
      || b == 0x3D || b >= 0x80
  }

  /// Bytes that end a URL: blanks, quotes, angle and closing brackets.
  @inline(__always) static func endsURL(_ b: UInt8) -> Bool {
    b <= 0x20 || b == 0x22 || b == 0x27 || b == 0x60 || b == 0x3C || b == 0x3E || b == 0x29 || b == 0x5D || b == 0x7F
  }

  // MARK: - Shapes

  /// After an escape sequence starting at `i` (CSI `ESC [ … final`, or ESC and one byte).
  static func skipEscape(_ text: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int {
    guard i + 1 < n else { return n }
    guard text[i + 1] == 0x5B else { return i + 2 }
    var j = i + 2
    while j < n && !(text[j] >= 0x40 && text[j] <= 0x7E) { j += 1 }
    return min(n, j + 1)
  }

  /// The end of a URL starting at `i` (`scheme://` and at least one byte), if one does.
  static func urlEnd(_ text: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int? {
    var j = i
    while j < n && j - i < 16 && (isAlnum(text[j]) || text[j] == 0x2B || text[j] == 0x2E || text[j] == 0x2D) { j += 1 }
    guard j + 3 < n, text[j] == 0x3A, text[j + 1] == 0x2F, text[j + 2] == 0x2F, !endsURL(text[j + 3]) else { return nil }
    j += 3
    while j < n && !endsURL(text[j]) { j += 1 }
    return j
  }

  /// The index of the quote closing the one at `i`, if the line has it. A single quote closes
  /// only where no letter or digit follows it (`'it's'` ends at the last quote).
  static func closingQuote(_ text: UnsafeRawBufferPointer, _ i: Int, _ n: Int, quote: UInt8) -> Int? {
    var j = i + 1
    while j < n {
      if text[j] == quote && (quote != 0x27 || j + 1 >= n || !isAlnum(text[j + 1])) { return j }
      j += 1
    }
    return nil
  }

  /// The end of a path starting at `i`, if one does.
  static func pathEnd(_ text: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int? {
    let byte = text[i]
    var start = i
    if byte == 0x2F {
      start = i + 1
    } else if byte == 0x2E || byte == 0x7E {
      // `./`, `../`, `~/`
      var j = i
      while j < n && j - i < 2 && text[j] == byte && byte == 0x2E { j += 1 }
      if byte == 0x7E { j = i + 1 }
      guard j < n, text[j] == 0x2F else { return nil }
      start = j + 1
    } else if isAlnum(byte) || byte == 0x5F {
      // A relative path: a word with two or more slashes and a letter.
      var j = i
      var slashes = 0
      var letters = false
      while j < n && isPathByte(text[j]) {
        if text[j] == 0x2F { slashes += 1 } else if isLetter(text[j]) { letters = true }
        j += 1
      }
      return slashes >= 2 && letters ? j : nil
    } else {
      return nil
    }
    guard start < n, isPathByte(text[start]), text[start] != 0x2F || byte != 0x2F else { return nil }
    var j = start
    while j < n && isPathByte(text[j]) { j += 1 }
    return j
  }

  /// The end of a date (with its time and zone) or a time starting at `i`, if one does.
  static func timestampEnd(_ text: UnsafeRawBufferPointer, _ i: Int, _ n: Int) -> Int? {
    func digits(_ at: Int, _ count: Int) -> Bool {
      guard at + count <= n else { return false }
      for k in at..<at + count where !isDigit(text[k]) { return false }
      return true
    }
    var j = i
    var sawDate = false
    if digits(i, 4), i + 10 <= n, text[i + 4] == 0x2D || text[i + 4] == 0x2F, digits(i + 5, 2),
      text[i + 7] == text[i + 4], digits(i + 8, 2)
    {
      sawDate = true
      j = i + 10
      if j + 1 < n, text[j] == 0x54 || text[j] == 0x20 || text[j] == 0x5F, digits(j + 1, 2), j + 3 < n, text[j + 3] == 0x3A {
        j += 1
      } else {
        return j < n && isAlnum(text[j]) ? nil : j
      }
    }
    // hh:mm[:ss][.fff|,fff]
    var hourDigits = 0
    while hourDigits < 2 && j + hourDigits < n && isDigit(text[j + hourDigits]) { hourDigits += 1 }
    guard hourDigits > 0, j + hourDigits + 2 < n || (j + hourDigits + 2 == n),
      j + hourDigits < n, text[j + hourDigits] == 0x3A, digits(j + hourDigits + 1, 2)
    else { return sawDate ? j : nil }
    var k = j + hourDigits + 3
    var parts = 2
    if k + 2 < n || k + 2 == n, k < n, text[k] == 0x3A, digits(k + 1, 2) {
      k += 3
      parts = 3
    }
    // A bare `12:34` is too often something else (a ratio, a port); a date's time is enough.
    guard parts == 3 || sawDate else { return nil }
    if k + 1 < n, text[k] == 0x2E || text[k] == 0x2C, isDigit(text[k + 1]) {
      k += 1
      while k < n && isDigit(text[k]) { k += 1 }
    }
    if k < n, text[k] == 0x5A {
      k += 1
    } else if k < n, text[k] == 0x2B || text[k] == 0x2D, digits(k + 1, 2) {
      k += 3
      if k < n, text[k] == 0x3A, digits(k + 1, 2) { k += 3 } else if digits(k, 2) { k += 2 }
    }
    return k < n && isAlnum(text[k]) ? nil : k
  }

  /// The end of an id starting at `i` whose word (letters and digits) ends at `wordEnd`.
  static func idEnd(_ text: UnsafeRawBufferPointer, _ i: Int, _ wordEnd: Int, _ n: Int) -> Int? {
    let length = wordEnd &- i
    // UUID: 8-4-4-4-12 hex digits.
    if length == 8 && wordEnd < n && text[wordEnd] == 0x2D {
      var j = i
      var ok = true
      for group in (0..<5) {
        let group = group == 0 ? 8 : group == 4 ? 12 : 4
        if j > i {
          guard j < n, text[j] == 0x2D else { ok = false; break }
          j += 1
        }
        guard j + group <= n else { ok = false; break }
        for k in j..<j + group where !isHex(text[k]) {
          ok = false
          break
        }
        if !ok { break }
        j += group
      }
      if ok && !(j < n && isAlnum(text[j])) { return j }
    }
    var hex = true
    var digits = 0
    var letters = 0
    for k in i..<wordEnd {
      let b = text[k]
      if isDigit(b) {
        digits &+= 1
      } else {
        letters &+= 1
        if !isHex(b) {
          hex = false
          // Neither a hash nor long enough for an id (`0x…` has an `x`, looked at below).
          if length < 16 && !(text[i] == 0x30 && length >= 3) { return nil }
        }
      }
    }
    if length >= 3, text[i] == 0x30, text[i + 1] | 0x20 == 0x78 {
      var allHex = true
      for k in (i + 2)..<wordEnd where !isHex(text[k]) { allHex = false }
      if allHex { return wordEnd }
    }
    if hex && length >= 8 && digits > 0 && letters > 0 { return wordEnd }
    if length >= 16 && digits > 0 && letters > 0 { return wordEnd }
    return nil
  }
}
