/// Remembers the shape of the Python traceback being printed, in bounded memory.
///
/// A traceback starts at `Traceback (most recent call last):`, lists frames as indented
/// `File "…", line N, in …` lines, and ends with the exception line. When a failure line ends a
/// traceback, its finding keeps the traceback's first and last frames as context. Frame lines
/// are copied into buffers reused for every traceback (at most ``maxFrameLength`` bytes each).
struct TracebackTracker {
  static let maxFrameLength = 300
  private static let header = Array("Traceback (most recent call last):".utf8)
  private static let frame = Array("File \"".utf8)

  private(set) var isOpen = false
  private var startLine = 0
  private var firstFrame: [UInt8] = []
  private var lastFrame: [UInt8] = []
  private var frames = 0

  init() {
    firstFrame.reserveCapacity(Self.maxFrameLength)
    lastFrame.reserveCapacity(Self.maxFrameLength)
  }

  /// A cheap first look: could `text` be a traceback header? It starts with `T` or ends with
  /// `):` (before trailing blanks).
  @inline(__always)
  static func mayStart(_ text: UnsafeRawBufferPointer) -> Bool {
    guard text.count >= 34, let first = text.first else { return false }
    if first == UInt8(ascii: "T") { return true }
    var end = text.count
    while end > 1 && (text[end - 1] == 0x20 || text[end - 1] == 0x0D) { end -= 1 }
    return text[end - 1] == UInt8(ascii: ":") && text[end - 2] == UInt8(ascii: ")")
  }

  /// Looks at one line; call before matching it.
  mutating func observe(_ text: UnsafeRawBufferPointer, line: Int) {
    guard let first = text.first else { return }
    if Self.contains(text, Self.header) {
      isOpen = true
      startLine = line
      frames = 0
      firstFrame.removeAll(keepingCapacity: true)
      lastFrame.removeAll(keepingCapacity: true)
      return
    }
    guard isOpen else { return }
    if first == 0x20 || first == 0x09 {
      let trimmed = text.drop { $0 == 0x20 || $0 == 0x09 }
      if trimmed.starts(with: Self.frame) {
        frames += 1
        let kept = trimmed.prefix(Self.maxFrameLength)
        if frames == 1 { firstFrame.replaceSubrange(firstFrame.indices, with: kept) }
        lastFrame.replaceSubrange(lastFrame.indices, with: kept)
      }
    }
  }

  /// Context lines for a failure found on `line`, if it ends the open traceback.
  func context(forFailureAt line: Int, text: UnsafeRawBufferPointer) -> [String] {
    guard isOpen, frames > 0, let first = text.first, first != 0x20, first != 0x09 else { return [] }
    var lines = ["line \(startLine): Traceback (most recent call last):"]
    lines.append(String(decoding: firstFrame, as: UTF8.self))
    if frames > 1 { lines.append(String(decoding: lastFrame, as: UTF8.self)) }
    return lines
  }

  /// The exception line closes the traceback; call after matching a non-indented line.
  mutating func closeIfEnded(_ text: UnsafeRawBufferPointer) {
    guard isOpen, let first = text.first, first != 0x20, first != 0x09, frames > 0 else { return }
    if !Self.contains(text, Self.header) { isOpen = false }
  }

  /// Whether `text` starts or ends with `needle` (a traceback header is printed at the start of
  /// a line, sometimes after a logger's prefix): O(1), no scan of the line.
  private static func contains(_ text: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    guard text.count >= needle.count else { return false }
    if text.starts(with: needle) { return true }
    var end = text.count
    while end > 0 && (text[end - 1] == 0x20 || text[end - 1] == 0x0D) { end -= 1 }
    guard end >= needle.count else { return false }
    return text[(end - needle.count)..<end].elementsEqual(needle)
  }
}
