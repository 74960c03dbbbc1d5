/// What a line may need besides matching (kept by ``Triage``): whether a build banner still
/// waits for a line with text after it, and the Python traceback being printed.
///
/// The two flags every line reads sit behind a pointer, so the per-line fast path pays no
/// exclusivity check.
final class LineBookkeeping {
  private struct Flags {
    var waitingAfterBanner = false
    var tracebackOpen = false
    var waitingForText = false
  }

  /// The traceback being printed (its frames become a failure's context).
  let traceback = TracebackTracker()
  private let flags: UnsafeMutablePointer<Flags>

  init() {
    flags = .allocate(capacity: 1)
    flags.initialize(to: Flags())
  }

  deinit { flags.deallocate() }

  /// Whether the next line must be looked at even if no literal occurs in it: a traceback is
  /// open, or a build banner still waits for a line with text after it.
  @inline(__always)
  var needsEveryLine: Bool {
    flags.pointee.waitingAfterBanner || flags.pointee.tracebackOpen || flags.pointee.waitingForText
  }

  /// After a line whose meaning is on the next line with text (Spring's `Description:`, a
  /// Rust panic's message): that line is handed out even without a literal.
  func waitForNextText() { flags.pointee.waitingForText = true }

  /// Whether `text` is the line with text that ``waitForNextText()`` waits for (then the wait
  /// ends). Call before matching a line.
  @inline(__always)
  func takesWaitedText(_ text: UnsafeRawBufferPointer) -> Bool {
    guard flags.pointee.waitingForText, Self.hasText(text) else { return false }
    flags.pointee.waitingForText = false
    return true
  }

  /// Whether a banner is waiting for the next line with text.
  var isWaitingAfterBanner: Bool { flags.pointee.waitingAfterBanner }

  /// After a banner (or a line that may be one): the next line with text is counted.
  func waitForTextAfterBanner(_ waiting: Bool) { flags.pointee.waitingAfterBanner = waiting }

  /// Call before matching a line. Returns whether it is the first line with text after a banner.
  @inline(__always)
  func lineStarts(_ text: UnsafeRawBufferPointer, line: Int) -> Bool {
    var firstAfterBanner = false
    if flags.pointee.waitingAfterBanner, Self.hasText(text) {
      // Only "was there any text after the banner" matters: stop looking.
      flags.pointee.waitingAfterBanner = false
      firstAfterBanner = true
    }
    if flags.pointee.tracebackOpen || TracebackTracker.mayStart(text) {
      traceback.observe(text, line: line)
      flags.pointee.tracebackOpen = traceback.isOpen
    }
    return firstAfterBanner
  }

  /// Whether `text` is the line that ends the open traceback (its exception line).
  @inline(__always)
  func endsTraceback(_ text: UnsafeRawBufferPointer) -> Bool {
    flags.pointee.tracebackOpen && traceback.wouldClose(text)
  }

  /// Call after matching a line: the line that ends a traceback closes it.
  @inline(__always)
  func lineEnds(_ text: UnsafeRawBufferPointer) {
    guard flags.pointee.tracebackOpen else { return }
    traceback.closeIfEnded(text)
    flags.pointee.tracebackOpen = traceback.isOpen
  }

  /// Whether `text` holds anything but blanks (spaces, tabs, `\r`): what counts as a line
  /// after a build banner.
  static func hasText(_ text: UnsafeRawBufferPointer) -> Bool {
    text.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
  }
}
