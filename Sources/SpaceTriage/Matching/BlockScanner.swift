#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Finds the literal occurrences of many buffered lines in one pass, so that a line holding none
/// (nearly every line of a log) is passed over with a few comparisons instead of its own probe.
///
/// Works with ``LineReader/bufferedLines(from:)``: when a line is not covered by the last scan,
/// ``scan(_:epoch:)`` probes it and every whole line buffered after it; ``lookup(_:)`` then
/// answers for each of those lines from the recorded hits. Lines with an ANSI escape byte are
/// left to the per-line path (their text changes once the escapes are removed).
///
/// The scanner builds its prefilter from the first block it scans, choosing for each literal
/// the grams that are rarest in that text (see ``LiteralPrefilter/init(signatures:sample:)``).
/// One scanner serves one input at a time; it allocates its tables and hit buffer once.
final class BlockScanner {
  /// What to do with a line.
  enum Answer {
    /// No literal occurs in the line: no entry can match it.
    case skip
    /// These literal occurrences lie in the line.
    case hits(LiteralPrefilter.LineHits)
    /// The line must be decoded and probed on its own (it holds an escape byte, or is not
    /// covered by a scan).
    case ownPass
  }

  /// The bytes of the literals of the last scan's prefilter.
  var literalByteSet: ByteSet { state.pointee.literalByteSet }

  private struct State {
    var literalByteSet = ByteSet()
    /// The prefilter's tables for ``LiteralPrefilter/LineHits`` (no hits in it).
    var noHits: LiteralPrefilter.LineHits?
    var base: UnsafeRawPointer?
    var count = 0
    var covered = 0
    var epoch = -1
    /// The hits of the last scan, or of the block handed over by ``adopt(_:epoch:)``.
    var hits: UnsafePointer<LiteralPrefilter.LiteralHit>?
    var found = 0
    var cursor = 0
    /// Offset of the next ESC byte at or after the lines looked up so far (`count`: none; -1:
    /// not looked for yet).
    var nextEscape = -1
    /// Per hit, the entries matching its line (see ``Prescan``), or empty.
    var matchSpans = UnsafeBufferPointer<MatchSpan>(start: nil, count: 0)
    var matchedEntries = UnsafeBufferPointer<Int32>(start: nil, count: 0)
    var templates = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
  }

  private let signatures: [Signature]
  private let markers: [String]
  /// The entries' probed literals, when known (see ``LiteralPrefilter/init(signatures:markers:sample:probed:)``).
  private let probed: [[String]?]?
  /// Built by the first scan.
  private var prefilter: LiteralPrefilter?
  private let hits: UnsafeMutableBufferPointer<LiteralPrefilter.LiteralHit>
  // Behind a pointer: the per-line calls pay no exclusivity checks.
  private let state: UnsafeMutablePointer<State>
  /// Entries muted for now (``LineMatcher/setMuted(_:_:)``): a hit whose literal selects only
  /// muted entries counts as no hit, so its line is passed over like a line without literals.
  /// SAFETY: the matcher that owns the buffer outlives this scanner (both belong to one
  /// ``Classifier``, or to the split-file reader that made this scanner).
  var muted: UnsafeMutableBufferPointer<Bool>?
  /// How many muted hits ``nextPointOfInterest(after:)`` passes over at most in one call.
  static let mutedLookahead = 64

  /// - Parameters:
  ///   - markers: more literals whose lines must be looked at (a traceback header, say); their
  ///     hits select no entry.
  ///   - probed: each entry's probed literals, when already known (a compiled catalog's).
  ///   - capacity: hits recorded per scan; a block with more is scanned in parts.
  init(signatures: [Signature], markers: [String] = [], probed: [[String]?]? = nil, capacity: Int = 4096) {
    self.signatures = signatures
    self.markers = markers
    self.probed = probed
    hits = .allocate(capacity: max(capacity, 64))
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  /// A scanner that uses `prefilter` as it is (several scanners can share one).
  init(prefilter: LiteralPrefilter, capacity: Int = 4096) {
    self.signatures = []
    self.markers = []
    self.probed = nil
    self.prefilter = prefilter
    hits = .allocate(capacity: max(capacity, 64))
    state = .allocate(capacity: 1)
    state.initialize(to: State())
  }

  deinit {
    hits.deallocate()
    state.deallocate()
  }

  /// Forgets the last scan (call between inputs).
  func reset() { state.pointee = State() }

  /// The entries that match a line, as a range of a list (`count` -1: the line was not
  /// matched), and the template of a line that may be an unrecognised failure, as a range of
  /// another (`templateCount` -1: none made).
  struct MatchSpan {
    var start: Int32
    var count: Int32
    var templateStart: Int32 = 0
    var templateCount: Int32 = -1

    static let notMatched = MatchSpan(start: 0, count: -1)
  }

  /// A block of whole lines already probed in full by another thread (a ``ScannedSegment``):
  /// its literal occurrences in increasing order of position, counted from `block`'s start.
  struct Prescan {
    var block: UnsafeRawBufferPointer
    var hits: UnsafeBufferPointer<LiteralPrefilter.LiteralHit>
    /// Per hit, the entries that match its line, in `matchedEntries`; empty when the other
    /// thread matched no line (see ``LiteralPrefilter/LineHits/matched``).
    var matchSpans: UnsafeBufferPointer<MatchSpan>
    var matchedEntries: UnsafeBufferPointer<Int32>
    /// The templates of ``matchSpans``.
    var templates: UnsafeBufferPointer<UInt8>
  }

  /// Takes `prescan` as the last scan: its lines are looked up without probing them again.
  /// Its pointers must stay valid while the reader's buffer epoch is `epoch`, and its hits must
  /// come from the prefilter this scanner uses.
  func adopt(_ prescan: Prescan, epoch: Int) {
    guard let prefilter else { return }
    state.pointee = State(
      literalByteSet: prefilter.literalByteSet, noHits: prefilter.lineHits(UnsafeBufferPointer(start: nil, count: 0)),
      base: prescan.block.baseAddress, count: prescan.block.count, covered: prescan.block.count, epoch: epoch,
      hits: prescan.hits.baseAddress, found: prescan.hits.count, cursor: 0, nextEscape: -1,
      matchSpans: prescan.matchSpans, matchedEntries: prescan.matchedEntries, templates: prescan.templates)
  }

  /// Whether `line` lies outside what the last scan covered, in a buffer still valid at `epoch`.
  @inline(__always)
  func needsScan(_ line: UnsafeRawBufferPointer, epoch: Int) -> Bool {
    let state = self.state.pointee
    guard epoch == state.epoch, let base = state.base, let start = line.baseAddress, start >= base else { return true }
    return base.distance(to: start) &+ line.count > state.covered
  }

  /// Probes `block`, which starts with the line about to be looked up and whose pointers stay
  /// valid while the reader's buffer epoch is `epoch`.
  func scan(_ block: UnsafeRawBufferPointer, epoch: Int) {
    let prefilter = self.prefilter ?? tunedPrefilter(sample: block)
    let result = prefilter.scan(block, into: hits)
    state.pointee = State(
      literalByteSet: prefilter.literalByteSet, noHits: prefilter.lineHits(UnsafeBufferPointer(start: nil, count: 0)),
      base: block.baseAddress, count: block.count, covered: result.covered, epoch: epoch,
      hits: UnsafePointer(hits.baseAddress), found: result.count,
      cursor: 0, nextEscape: -1)
  }

  private func tunedPrefilter(sample: UnsafeRawBufferPointer) -> LiteralPrefilter {
    let prefilter = LiteralPrefilter(signatures: signatures, markers: markers, sample: sample, probed: probed)
    self.prefilter = prefilter
    return prefilter
  }

  /// What to do with `line`, one of the lines of the last scan, looked up in order.
  @inline(__always)
  func lookup(_ line: UnsafeRawBufferPointer) -> Answer {
    guard let base = state.pointee.base, let pointer = line.baseAddress else { return .ownPass }
    let start = base.distance(to: pointer)
    let end = start &+ line.count
    guard start >= 0, end <= state.pointee.covered, let hits = state.pointee.hits else { return .ownPass }
    if nextEscape(atOrAfter: start, in: base) < end { return .ownPass }
    var cursor = state.pointee.cursor
    let found = state.pointee.found
    while cursor < found && Int(hits[cursor].position) < start { cursor &+= 1 }
    let first = cursor
    while cursor < found && Int(hits[cursor].position) < end { cursor &+= 1 }
    state.pointee.cursor = cursor
    if first == cursor { return .skip }
    guard var lineHits = state.pointee.noHits else { return .ownPass }
    lineHits.occurrences = UnsafeBufferPointer(start: hits + first, count: cursor &- first)
    if let muted, lineHits.allSelectOnly(muted: muted) { return .skip }
    let spans = state.pointee.matchSpans
    if first < spans.count, spans[first].count >= 0, let entries = state.pointee.matchedEntries.baseAddress {
      let span = spans[first]
      lineHits.matched = UnsafeBufferPointer(start: entries + Int(span.start), count: Int(span.count))
      if span.templateCount >= 0, let templates = state.pointee.templates.baseAddress {
        lineHits.template = UnsafeRawBufferPointer(start: templates + Int(span.templateStart), count: Int(span.templateCount))
      }
    }
    return .hits(lineHits)
  }

  /// Where the next line that needs a look begins, after `line` (the line just looked up): the
  /// next literal occurrence or escape byte, or the end of what the last scan covered. The lines
  /// before it hold neither, so a reader may pass over them.
  func nextPointOfInterest(after line: UnsafeRawBufferPointer) -> UnsafeRawPointer? {
    guard let base = state.pointee.base, let pointer = line.baseAddress else { return nil }
    let end = base.distance(to: pointer) &+ line.count
    let covered = state.pointee.covered
    guard end <= covered else { return nil }
    var target = min(covered, nextEscape(atOrAfter: end, in: base))
    guard let hits = state.pointee.hits else { return base + target }
    var cursor = state.pointee.cursor
    let found = state.pointee.found
    while cursor < found && Int(hits[cursor].position) < end { cursor &+= 1 }
    state.pointee.cursor = cursor
    if let muted, let tables = state.pointee.noHits {
      // Hits that select only muted entries are no reason to stop. They stay recorded: a line
      // the reader stops at anyway is looked up under the muting of that moment. At most
      // `mutedLookahead` of them are passed at once, so the walk stays short when the reader
      // stops often (JSON or SSE lines).
      let limit = min(found, cursor &+ BlockScanner.mutedLookahead)
      while cursor < limit && tables.selectsOnlyMuted(literal: hits[cursor].literal, muted: muted) { cursor &+= 1 }
    }
    if cursor < found && Int(hits[cursor].position) < target { target = Int(hits[cursor].position) }
    return base + target
  }

  /// The offset of the first ESC byte at or after `offset` in the scanned block (its end if
  /// there is none), looked for once and kept until the lines pass it.
  @inline(__always)
  private func nextEscape(atOrAfter offset: Int, in base: UnsafeRawPointer) -> Int {
    if state.pointee.nextEscape < offset {
      let rest = state.pointee.count &- offset
      if rest > 0, let escape = memchr(base + offset, 0x1B, rest) {
        state.pointee.nextEscape = base.distance(to: UnsafeRawPointer(escape))
      } else {
        state.pointee.nextEscape = state.pointee.count
      }
    }
    return state.pointee.nextEscape
  }
}
