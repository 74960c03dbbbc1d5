internal import CPCRE2

/// Reusable scratch space for matching: match data, a match context with limits, a JIT stack.
///
/// Create one per thread (it is not `Sendable`) and reuse it for every match; matching then
/// allocates nothing. After a successful ``matches(_:in:)``, ``range(ofGroup:)`` reads the
/// captured ranges of that match.
@safe package final class PCRE2MatchData {
  private let matchData: OpaquePointer
  private let context: OpaquePointer
  private let jitStack: OpaquePointer?
  private var groupsSet = 0

  /// The default limit on backtracking steps per match (PCRE2's own default is 10,000,000).
  package static let defaultMatchLimit: UInt32 = 1_000_000
  /// The default limit on backtracking depth: how deeply the interpreter may nest backtracking
  /// points (`pcre2_set_depth_limit`; a count, not KiB: heap is PCRE2's separate heap limit).
  /// JIT matching ignores it and is bounded by its stack and the match limit.
  package static let defaultDepthLimit: UInt32 = 10_000

  /// Creates scratch space whose matches give up after `matchLimit` steps or `depthLimit` depth.
  ///
  /// `largeJITStack` gives JIT matching a stack of up to 1 MiB (allocated with `mmap`); without
  /// it PCRE2 uses 32 KiB on the machine stack, enough for simple patterns and much cheaper to
  /// create for short-lived scratch.
  package init(
    matchLimit: UInt32 = PCRE2MatchData.defaultMatchLimit,
    depthLimit: UInt32 = PCRE2MatchData.defaultDepthLimit,
    largeJITStack: Bool = true
  ) {
    // SAFETY: creation functions return owned objects or nil on allocation failure, which
    // leaves us nothing sensible to do but stop.
    guard let data = unsafe pcre2_match_data_create_8(64, nil),
      let context = unsafe pcre2_match_context_create_8(nil)
    else { fatalError("PCRE2 could not allocate match data") }
    unsafe self.matchData = data
    unsafe self.context = context
    _ = unsafe pcre2_set_match_limit_8(context, matchLimit)
    _ = unsafe pcre2_set_depth_limit_8(context, depthLimit)
    let stack = largeJITStack ? unsafe pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil) : nil
    if let stack = unsafe stack { unsafe pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack)) }
    unsafe self.jitStack = stack
  }

  deinit {
    unsafe pcre2_match_data_free_8(matchData)
    unsafe pcre2_match_context_free_8(context)
    if let jitStack = unsafe jitStack { unsafe pcre2_jit_stack_free_8(jitStack) }
  }

  /// Whether `pattern` matches somewhere in `subject`.
  ///
  /// - Throws: ``PCRE2Error`` of kind `.match` when PCRE2 gives up (match or depth limit hit).
  package func matches(
    _ pattern: PCRE2Pattern, in subject: UnsafeRawBufferPointer, from startOffset: Int = 0
  ) throws(PCRE2Error) -> Bool {
    guard startOffset >= 0, startOffset <= subject.count else { return false }
    let rc = unsafe run(pattern, subject, startOffset)
    if rc >= 0 {
      groupsSet = rc == 0 ? 64 : Int(rc)
      return true
    }
    groupsSet = 0
    if rc == PCRE2_ERROR_NOMATCH { return false }
    throw PCRE2Error(kind: .match, code: rc)
  }

  /// The byte range of the whole match (`group` 0) or of a capturing group of the last
  /// successful match, or `nil` if that group did not take part.
  package func range(ofGroup group: Int) -> Range<Int>? {
    guard group >= 0, group < groupsSet else { return nil }
    guard let ovector = unsafe pcre2_get_ovector_pointer_8(matchData) else { return nil }
    // SAFETY: the ovector has 64 pairs and `group` < groupsSet <= 64.
    let start = unsafe ovector[2 * group]
    let end = unsafe ovector[2 * group + 1]
    guard start != cpcre2_unset(), end >= start else { return nil }
    return start..<end
  }

  private func run(_ pattern: PCRE2Pattern, _ subject: UnsafeRawBufferPointer, _ startOffset: Int) -> Int32 {
    guard let base = subject.baseAddress, subject.count > 0 else {
      // An empty buffer may have no base address; PCRE2 wants a valid pointer even for length 0.
      return unsafe PCRE2MatchData.emptySubject.withUnsafeBytes { empty in
        unsafe run(pattern, UnsafeRawBufferPointer(rebasing: empty[0..<0]), empty.baseAddress!, 0)
      }
    }
    return unsafe run(pattern, subject, base, startOffset)
  }

  private func run(
    _ pattern: PCRE2Pattern, _ subject: UnsafeRawBufferPointer, _ base: UnsafeRawPointer, _ startOffset: Int
  ) -> Int32 {
    let bytes = unsafe base.assumingMemoryBound(to: UInt8.self)
    // SAFETY: `bytes` is valid for subject.count bytes for the duration of this call, and PCRE2
    // keeps no reference to the subject after returning.
    if pattern.isJITCompiled {
      return unsafe pcre2_jit_match_8(pattern.code, bytes, subject.count, startOffset, 0, matchData, context)
    }
    return unsafe pcre2_match_8(pattern.code, bytes, subject.count, startOffset, 0, matchData, context)
  }

  /// A one-byte buffer whose address stands in for an empty subject (as rust-pcre2 does).
  private static let emptySubject: [UInt8] = [0]
}
