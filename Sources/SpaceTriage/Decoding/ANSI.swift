#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Removes terminal escape sequences from log text.
enum ANSI {
  private static let escape: UInt8 = 0x1B

  /// Copies `text` into `out` without escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL`
  /// or `ESC \`, and two-byte `ESC x`). Returns the number of bytes written; `out` must be at
  /// least as long as `text`.
  static func strip(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
    var read = 0
    var write = 0
    let count = text.count
    guard let base = text.baseAddress, let target = out.baseAddress else { return 0 }
    while read < count {
      // Copy the run up to the next escape byte in one go.
      let run =
        memchr(base + read, Int32(escape), count &- read).map { base.distance(to: UnsafeRawPointer($0)) &- read }
        ?? count &- read
      if run > 0 {
        (target + write).copyMemory(from: base + read, byteCount: run)
        write &+= run
        read &+= run
        continue
      }
      read &+= 1
      guard read < count else { break }
      let kind = text[read]
      read &+= 1
      if kind == UInt8(ascii: "[") {
        // Parameters and intermediates, then one final byte in 0x40...0x7E.
        while read < count, !(0x40...0x7E).contains(text[read]) { read &+= 1 }
        if read < count { read &+= 1 }
      } else if kind == UInt8(ascii: "]") {
        while read < count {
          if text[read] == 0x07 { read &+= 1; break }
          if text[read] == escape, read &+ 1 < count, text[read &+ 1] == UInt8(ascii: "\\") { read &+= 2; break }
          read &+= 1
        }
      }
    }
    return write
  }

  /// `text` without escape sequences, as a `String` (for reported lines).
  static func stripped(_ text: String) -> String {
    var bytes = Array(text.utf8)
    let length = bytes.withUnsafeMutableBytes { buffer in
      strip(UnsafeRawBufferPointer(buffer), into: buffer)
    }
    bytes.removeSubrange(length...)
    return String(decoding: bytes, as: UTF8.self)
  }
}
