#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// glibc's `memmem` (a GNU extension the Glibc module does not export).
@_silgen_name("memmem")
private func c_memmem(_ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int)
  -> UnsafeMutableRawPointer?

/// Remembers the shape of the Python traceback being printed, in bounded memory.
///
/// A traceback starts at `Traceback (most recent call last):`, lists frames as indented
/// `File "…", line N, in …` lines, and ends with the exception line. When a failure line ends a
/// traceback, its finding keeps the traceback's first and last frames as context. Frame lines
/// are copied into two buffers reused for every traceback (at most ``maxFrameLength`` bytes
/// each), and the state sits behind a pointer, so a line costs no allocation, reference count
/// or exclusivity check.
final class TracebackTracker {
  static let maxFrameLength = 300
  private static let header: StaticString = "Traceback (most recent call last):"
  /// The header line's text, for finding it in bulk.
  static let headerText = "Traceback (most recent call last):"
  private static let frame: StaticString = "File \""

  private struct State {
    var isOpen = false
    var startLine = 0
    var frames = 0
    var firstFrameLength = 0
    var lastFrameLength = 0
    var ownFrameLength = 0
    /// A frame of a web framework's request handler was listed.
    var inRequestHandler = false
  }

  private let state: UnsafeMutablePointer<State>
  private let firstFrame: UnsafeMutableRawBufferPointer
  private let lastFrame: UnsafeMutableRawBufferPointer
  /// The last frame outside Python's standard library (the app's or a package's).
  private let ownFrame: UnsafeMutableRawBufferPointer

  init() {
    state = .allocate(capacity: 1)
    state.initialize(to: State())
    firstFrame = .allocate(byteCount: Self.maxFrameLength, alignment: 1)
    lastFrame = .allocate(byteCount: Self.maxFrameLength, alignment: 1)
    ownFrame = .allocate(byteCount: Self.maxFrameLength, alignment: 1)
  }

  deinit {
    state.deallocate()
    firstFrame.deallocate()
    lastFrame.deallocate()
    ownFrame.deallocate()
  }

  /// Whether a traceback is being printed.
  var isOpen: Bool { state.pointee.isOpen }

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
  func observe(_ text: UnsafeRawBufferPointer, line: Int) {
    guard let first = text.first else { return }
    if Self.isHeader(text) {
      state.pointee = State(isOpen: true, startLine: line)
      return
    }
    guard state.pointee.isOpen, first == 0x20 || first == 0x09 else { return }
    var start = 1
    while start < text.count && (text[start] == 0x20 || text[start] == 0x09) { start += 1 }
    let trimmed = UnsafeRawBufferPointer(rebasing: text[start...])
    guard Self.starts(trimmed, with: Self.frame) else { return }
    state.pointee.frames += 1
    let length = min(trimmed.count, Self.maxFrameLength)
    let kept = UnsafeRawBufferPointer(rebasing: trimmed[0..<length])
    if state.pointee.frames == 1 {
      firstFrame.copyMemory(from: kept)
      state.pointee.firstFrameLength = length
    }
    lastFrame.copyMemory(from: kept)
    state.pointee.lastFrameLength = length
    if !Self.isStandardLibrary(kept) {
      ownFrame.copyMemory(from: kept)
      state.pointee.ownFrameLength = length
      if !state.pointee.inRequestHandler && Self.isRequestHandler(kept) { state.pointee.inRequestHandler = true }
    }
  }

  /// Whether the open traceback listed a frame of a request handler: Gradio's queue, Streamlit's
  /// script runner, Flask's or FastAPI's routing, Django's handlers (not at import time).
  var sawRequestHandler: Bool { state.pointee.inRequestHandler }

  private static func isRequestHandler(_ frame: UnsafeRawBufferPointer) -> Bool {
    guard let start = packagePath(frame) else { return false }
    let path = UnsafeRawBufferPointer(rebasing: frame[start...])
    let handler =
      starts(path, with: "gradio/queueing.py") || starts(path, with: "gradio/route_utils.py")
      || starts(path, with: "streamlit/runtime/scriptrunner") || starts(path, with: "flask/app.py")
      || starts(path, with: "fastapi/routing.py") || starts(path, with: "django/core/handlers/")
    return handler && !contains(path, "in <module>")
  }

  /// The line of the open (or last) traceback's header.
  var startLine: Int { state.pointee.startLine }

  /// How many frames the open (or last) traceback listed.
  var frameCount: Int { state.pointee.frames }

  /// The raising frame of the open traceback: its last `File "…"` line, or the last one outside
  /// the standard library when the last is inside it (`<frozen os>`, `/usr/lib/python3.x/…`).
  func raisingFrame() -> String? {
    let state = self.state.pointee
    guard state.frames > 0 else { return nil }
    let kept = state.ownFrameLength > 0 ? ownFrame : lastFrame
    let length = state.ownFrameLength > 0 ? state.ownFrameLength : state.lastFrameLength
    return String(decoding: UnsafeRawBufferPointer(rebasing: kept[0..<length]), as: UTF8.self)
  }

  /// Whether a frame line points into Python's standard library.
  private static func isStandardLibrary(_ frame: UnsafeRawBufferPointer) -> Bool {
    if frame.count > 6 && frame[6] == UInt8(ascii: "<") { return true }
    return packagePath(frame) == nil && contains(frame, "/lib/python")
  }

  /// Where the path inside `site-packages/` or `dist-packages/` starts, if the frame is there.
  private static func packagePath(_ frame: UnsafeRawBufferPointer) -> Int? {
    // `-` is rare in a path: find it with memchr, then compare (memmem costs more on short lines).
    let marker: StaticString = "-packages/"
    let count = marker.utf8CodeUnitCount
    guard let base = frame.baseAddress, frame.count > count else { return nil }
    var at = base
    let end = base + frame.count
    while end - at >= count, let hit = memchr(at, 0x2D, end - at - count + 1) {
      if memcmp(hit, marker.utf8Start, count) == 0 { return UnsafeRawPointer(hit) - base + count }
      at = UnsafeRawPointer(hit) + 1
    }
    return nil
  }

  private static func contains(_ text: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
    guard let base = text.baseAddress, text.count >= needle.utf8CodeUnitCount else { return false }
    return c_memmem(base, text.count, needle.utf8Start, needle.utf8CodeUnitCount) != nil
  }

  /// Context lines for a failure found on `line`, if it ends the open traceback.
  func context(forFailureAt line: Int, text: UnsafeRawBufferPointer) -> [String] {
    guard endsOnFailure(text) else { return [] }
    var kept = KeptTraceback()
    keep(into: &kept)
    return kept.context
  }

  /// Whether a failure on `text` ends the open traceback (it has context lines).
  func endsOnFailure(_ text: UnsafeRawBufferPointer) -> Bool {
    let state = self.state.pointee
    guard state.isOpen, state.frames > 0, let first = text.first else { return false }
    return first != 0x20 && first != 0x09
  }

  /// Copies the open traceback's frames into `kept` (its reused buffers: no allocation once
  /// they have grown): the evidence of a repeated failure, written out later.
  func keep(into kept: inout KeptTraceback) {
    let state = self.state.pointee
    kept.start = state.startLine
    kept.frames = state.frames
    kept.first.replace(with: UnsafeRawBufferPointer(rebasing: firstFrame[0..<state.firstFrameLength]))
    kept.last.replace(with: UnsafeRawBufferPointer(rebasing: lastFrame[0..<state.lastFrameLength]))
    if state.ownFrameLength > 0 {
      kept.raising.replace(with: UnsafeRawBufferPointer(rebasing: ownFrame[0..<state.ownFrameLength]))
    } else {
      kept.raising.replace(with: UnsafeRawBufferPointer(rebasing: lastFrame[0..<state.lastFrameLength]))
    }
  }

  /// Whether ``closeIfEnded(_:)`` would close the traceback on `text`: its exception line.
  func wouldClose(_ text: UnsafeRawBufferPointer) -> Bool {
    guard state.pointee.isOpen, let first = text.first, first != 0x20, first != 0x09, state.pointee.frames > 0 else {
      return false
    }
    return !Self.isHeader(text)
  }

  /// The exception line closes the traceback; call after matching a non-indented line.
  func closeIfEnded(_ text: UnsafeRawBufferPointer) {
    guard state.pointee.isOpen, let first = text.first, first != 0x20, first != 0x09, state.pointee.frames > 0 else {
      return
    }
    if !Self.isHeader(text) { state.pointee.isOpen = false }
  }

  /// Whether `text` starts or ends with the traceback header (it is printed at the start of a
  /// line, sometimes after a logger's prefix): O(1), no scan of the line.
  private static func isHeader(_ text: UnsafeRawBufferPointer) -> Bool {
    let count = header.utf8CodeUnitCount
    guard text.count >= count else { return false }
    if text[0] == UInt8(ascii: "T") && starts(text, with: header) { return true }
    var end = text.count
    while end > 0 && (text[end - 1] == 0x20 || text[end - 1] == 0x0D) { end -= 1 }
    // The header ends with "):"; most lines do not.
    guard end >= count, text[end - 1] == UInt8(ascii: ":"), text[end - 2] == UInt8(ascii: ")") else { return false }
    return starts(UnsafeRawBufferPointer(rebasing: text[(end - count)..<end]), with: header)
  }

  private static func starts(_ text: UnsafeRawBufferPointer, with prefix: StaticString) -> Bool {
    let count = prefix.utf8CodeUnitCount
    guard text.count >= count, let base = text.baseAddress else { return false }
    return memcmp(base, prefix.utf8Start, count) == 0
  }
}

/// A traceback kept as bytes for a failure written out later (``TracebackTracker/keep(into:)``).
struct KeptTraceback {
  /// The header's line.
  var start = 0
  /// How many frames it listed.
  var frames = 0
  var first: [UInt8] = []
  var last: [UInt8] = []
  /// The raising frame (``TracebackTracker/raisingFrame()``).
  var raising: [UInt8] = []

  /// The context lines of a failure that ends it: the header's line, the first frame, and the
  /// last one when there are more.
  var context: [String] {
    var lines = ["line \(start): Traceback (most recent call last):", String(decoding: first, as: UTF8.self)]
    if frames > 1 { lines.append(String(decoding: last, as: UTF8.self)) }
    return lines
  }
}

extension [UInt8] {
  /// Replaces the contents with `bytes`, keeping the capacity.
  @inline(__always)
  mutating func replace(with bytes: UnsafeRawBufferPointer) {
    removeAll(keepingCapacity: true)
    append(contentsOf: bytes)
  }
}
